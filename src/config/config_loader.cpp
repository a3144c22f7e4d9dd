// Entry points: YAML text or a file in, a validated Config or every problem out.

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <system_error>

#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/expr.hpp>

#include "config/yaml_reader.hpp"

namespace freshguard::config {
namespace {

constexpr std::string_view kTopLevelKeys[] = {"sources", "rules", "metadata", "logging", "alerts"};
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{10} * 1024 * 1024;

// yaml-cpp's message, cut before any ": <detail>" that could quote the document.
std::string syntax_message(const YAML::Exception& e) {
  std::string message = "invalid YAML";
  if (!e.mark.is_null()) {
    message += " at line " + std::to_string(e.mark.line + 1) + ", column " +
               std::to_string(e.mark.column + 1);
  }
  std::string reason = e.msg.substr(0, e.msg.find(": "));
  if (!reason.empty()) message += ": " + reason;
  return message;
}

std::optional<YAML::Node> parse_yaml(std::string_view yaml, detail::Context& ctx) {
  try {
    return YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    ctx.add("", syntax_message(e));
    return std::nullopt;
  }
}

// Every key under `sources:`, valid or not: rules may name them without a second problem.
std::set<std::string> source_names(const YAML::Node* sources) {
  std::set<std::string> names;
  if (sources == nullptr || !sources->IsMap()) return names;
  for (auto it = sources->begin(); it != sources->end(); ++it) {
    if (it->first.IsScalar()) names.insert(it->first.Scalar());
  }
  return names;
}

sql::Dialect dialect_of(SourceType type) {
  switch (type) {
    case SourceType::kPostgres:
      return sql::Dialect(sql::DialectKind::kPostgres);
    case SourceType::kMysql:
      return sql::Dialect(sql::DialectKind::kMysql);
    case SourceType::kDuckdb:
      return sql::Dialect(sql::DialectKind::kDuckdb);
    case SourceType::kBigquery:
      return sql::Dialect(sql::DialectKind::kBigquery);
    case SourceType::kSnowflake:
      return sql::Dialect(sql::DialectKind::kSnowflake);
    case SourceType::kSqlite:
      break;
  }
  return sql::Dialect(sql::DialectKind::kSqlite);
}

// The identifier limits of each rule's source dialect (PostgreSQL 63 bytes, MySQL 64), on
// names that passed the generic checks.
void check_dialect_names(detail::Context& ctx, const Config& config) {
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    const Rule& rule = config.rules[i];
    const auto source = config.sources.find(rule.source);
    if (source == config.sources.end()) continue;
    const sql::Dialect dialect = dialect_of(source->second.type);
    const std::string path = "rules[" + std::to_string(i) + "]";
    try {
      if (!rule.table.empty()) (void)dialect.parse_table(rule.table);
    } catch (const SecurityError& e) {
      ctx.add_security(path + ".table", e.what());
    }
    const auto column = sql::Identifier::try_parse(rule.freshness.timestamp_column);
    try {
      if (column) dialect.check(*column, "column name");
    } catch (const SecurityError& e) {
      ctx.add_security(path + ".timestamp_column", e.what());
    }
    // A filter the allowlist accepted may still use a construct this engine cannot express
    // (a cast to boolean on MySQL): say so now rather than at the first check.
    try {
      if (!rule.filter.empty()) (void)sql::render(security::parse_filter(rule.filter), dialect);
    } catch (const SecurityError&) {
      // already reported by the rule's own filter check
    } catch (const QueryError& e) {
      ctx.add(path + ".filter", e.what());
    }
  }
}

// A freshness rule without timestamp_column reads the table's last-modified time from
// catalog metadata, which only the warehouse connectors offer.
void check_catalog_freshness(detail::Context& ctx, const Config& config) {
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    const Rule& rule = config.rules[i];
    const auto source = config.sources.find(rule.source);
    if (rule.type != RuleType::kFreshness || !rule.freshness.timestamp_column.empty() ||
        source == config.sources.end()) {
      continue;
    }
    const SourceType type = source->second.type;
    const std::string rule_path = "rules[" + std::to_string(i) + "]";
    const std::string path = rule_path + ".timestamp_column";
    // A rule with problems of its own (a bad type, an invalid column) is not judged again.
    const auto& found = ctx.problems();
    if (std::any_of(found.begin(), found.end(), [&rule_path](const ConfigProblem& p) {
          return p.path.rfind(rule_path + ".", 0) == 0 || p.path == rule_path;
        })) {
      continue;
    }
    if (type != SourceType::kBigquery && type != SourceType::kSnowflake) {
      ctx.add(path, "is required for " + std::string(to_string(type)) +
                        " sources (only bigquery and snowflake sources can read freshness "
                        "from catalog metadata)");
    } else if (!rule.filter.empty()) {
      ctx.add(path, "is required when the rule has a filter");
    }
  }
}

Config read_document(detail::Context& ctx, const YAML::Node& root,
                     const std::filesystem::path& file) {
  Config config;
  config.file = file;
  detail::MapReader top(ctx, root, "");
  top.check_keys(kTopLevelKeys, kTopLevelKeys, "");
  config.sources = detail::read_sources(ctx, top.find("sources"));
  config.rules = detail::read_rules(ctx, top.find("rules"), source_names(top.find("sources")));
  check_dialect_names(ctx, config);
  check_catalog_freshness(ctx, config);
  config.metadata = detail::read_metadata(ctx, top.find("metadata"));
  detail::check_history_windows(ctx, config.rules, config.metadata);
  config.logging = detail::read_logging(ctx, top.find("logging"));
  config.alerts = detail::read_alerts(ctx, top.find("alerts"));
  return config;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The password in `scheme://user:password@host/...`, raw and percent-decoded.
void add_url_password(std::string_view url, std::vector<std::string>& out) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return;
  auto authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return;
  const auto userinfo = authority.substr(0, at);
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) return;
  const auto password = userinfo.substr(colon + 1);
  out.emplace_back(password);
  std::string decoded;
  for (std::size_t i = 0; i < password.size(); ++i) {
    const int high =
        i + 2 < password.size() && password[i] == '%' ? hex_value(password[i + 1]) : -1;
    const int low = high >= 0 ? hex_value(password[i + 2]) : -1;
    if (low >= 0) {
      decoded += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      decoded += password[i];
    }
  }
  out.push_back(std::move(decoded));
}

}  // namespace

std::vector<std::string> Config::secrets() const {
  std::vector<std::string> out;
  for (const auto& [name, source] : sources) {
    out.push_back(source.password);
    add_url_password(source.endpoint, out);
  }
  out.push_back(metadata.url);
  add_url_password(metadata.url, out);
  for (const auto& sink : alerts.sinks) {
    out.push_back(sink.routing_key);
    for (const auto& [header, value] : sink.headers)
      out.push_back(value);
    // A Slack incoming-webhook URL carries its token in the path: the whole URL is secret.
    if (sink.type == "slack") out.push_back(sink.url);
    add_url_password(sink.url, out);
  }
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

LoadResult load_config_string(std::string_view yaml, const EnvLookup& env,
                              const std::filesystem::path& file) {
  LoadResult result;
  detail::Context ctx(env, file);
  const auto root = parse_yaml(yaml, ctx);
  if (!root) {
    result.problems = std::move(ctx.problems());
    return result;
  }
  if (root->IsNull()) {
    ctx.add("", "the configuration is empty; it needs at least sources: and rules:");
  } else if (!root->IsMap()) {
    ctx.add("", "the configuration must be a YAML map with sources: and rules:, got " +
                    detail::describe_node(*root));
  } else {
    auto config = read_document(ctx, *root, file);
    if (ctx.problems().empty()) result.config = std::move(config);
  }
  result.problems = std::move(ctx.problems());
  return result;
}

LoadResult load_config_file(const std::filesystem::path& file, const EnvLookup& env) {
  const auto fail = [&file](const std::string& reason) {
    LoadResult result;
    result.problems.push_back(
        ConfigProblem{"", "cannot read config file \"" + file.string() + "\": " + reason});
    return result;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return fail(std::make_error_code(std::errc::is_a_directory).message());
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int error = errno;
    return fail(error != 0 ? std::strerror(error)
                           : "cannot open");  // NOLINT(concurrency-mt-unsafe)
  }
  std::string text;
  std::array<char, std::size_t{64} * 1024> buffer{};
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    text.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) return fail("the file is larger than the 10 MiB limit");
  }
  if (in.bad()) return fail("read error");
  return load_config_string(text, env, file);
}

}  // namespace freshguard::config
