#include <freshguard/sql/dialect.hpp>

namespace freshguard::sql {
namespace {

std::string quote_with(std::string_view text, char q) {
  std::string out;
  out.reserve(text.size() + 2);
  out += q;
  for (char c : text) {
    if (c == q) out += q;  // doubling escapes the quote character in every dialect we speak
    out += c;
  }
  out += q;
  return out;
}

}  // namespace

std::string_view Dialect::name() const noexcept {
  switch (kind_) {
    case DialectKind::kSqlite:
      return "sqlite";
    case DialectKind::kPostgres:
      return "postgres";
    case DialectKind::kMysql:
      return "mysql";
    case DialectKind::kDuckdb:
      return "duckdb";
    case DialectKind::kBigquery:
      return "bigquery";
    case DialectKind::kSnowflake:
      return "snowflake";
  }
  return "sqlite";
}

std::string Dialect::quote(const Identifier& id) const {
  const bool backtick = kind_ == DialectKind::kMysql || kind_ == DialectKind::kBigquery;
  return quote_with(id.str(), backtick ? '`' : '"');
}

std::string Dialect::quote(const QualifiedName& name) const {
  if (!name.schema) return quote(name.name);
  return quote(*name.schema) + "." + quote(name.name);
}

}  // namespace freshguard::sql
