#include <algorithm>
#include <cctype>

#include <freshguard/config/source_types.hpp>

namespace freshguard::config {
namespace {

static_assert(
    [] {
      for (std::size_t i = 0; i < kSourceTypes.size(); ++i) {
        if (static_cast<std::size_t>(kSourceTypes[i].type) != i) return false;
      }
      return true;
    }(),
    "kSourceTypes is in SourceType order");

// A Snowflake object name as Snowflake stores it: a quoted name as written, else upper case.
std::string snowflake_name(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return std::string(text.substr(1, text.size() - 2));
  }
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

int port_of(const SourceConfig& source) noexcept {
  return source.port != 0 ? source.port : source_type_info(source.type).default_port;
}

std::string default_schema(const SourceConfig& s) {
  switch (s.type) {
    case SourceType::kPostgres:
      return s.schema.empty() ? "public" : s.schema;
    case SourceType::kMysql:
      return s.schema.empty() ? s.database : s.schema;
    case SourceType::kBigquery:
      return s.dataset;
    case SourceType::kSnowflake:
      return snowflake_name(s.schema.empty() ? "PUBLIC" : s.schema);
    case SourceType::kSqlite:
    case SourceType::kDuckdb:
      break;
  }
  return "main";
}

std::string catalog_name(const SourceConfig& s) {
  switch (s.type) {
    case SourceType::kBigquery:
      return s.project;
    case SourceType::kSnowflake:
      return snowflake_name(s.database);
    default:
      return {};
  }
}

}  // namespace freshguard::config
