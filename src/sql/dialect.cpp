#include <freshguard/core/error.hpp>
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

namespace freshguard::sql {
namespace {

bool is_project_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// BigQuery project ids: 6-30 characters, lower-case letters, digits and hyphens, starting
// with a letter and not ending with a hyphen.
void check_project_id(std::string_view text, std::string_view what) {
  const std::string prefix = "invalid " + std::string(what) + " (project part): ";
  if (text.size() < 6 || text.size() > 30) {
    throw SecurityError(prefix + "a BigQuery project id has 6 to 30 characters, found " +
                        std::to_string(text.size()));
  }
  if (text.front() < 'a' || text.front() > 'z') {
    throw SecurityError(prefix + "a BigQuery project id starts with a lower-case letter");
  }
  if (text.back() == '-') {
    throw SecurityError(prefix + "a BigQuery project id does not end with a hyphen");
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_project_char(text[i])) {
      throw SecurityError(prefix + "only lower-case letters, digits and hyphens are allowed (" +
                          "position " + std::to_string(i + 1) + ")");
    }
  }
}

}  // namespace

std::string TableRef::display() const {
  return project.empty() ? name.display() : project + "." + name.display();
}

std::string Dialect::quote(const TableRef& table) const {
  if (table.project.empty()) return quote(table.name);
  // A Snowflake database is an identifier; anything else must be a BigQuery project id
  // (letters, digits, hyphens), checked again here, so quoting it is plain wrapping.
  if (!Identifier::try_parse(table.project)) check_project_id(table.project, "table name");
  return quote_with(table.project, kind_ == DialectKind::kBigquery ? '`' : '"') + "." +
         quote(table.name);
}

std::size_t Dialect::max_identifier_length() const noexcept {
  switch (kind_) {
    case DialectKind::kPostgres:
      return 63;
    case DialectKind::kMysql:
      return 64;
    case DialectKind::kSqlite:
    case DialectKind::kDuckdb:
    case DialectKind::kBigquery:
    case DialectKind::kSnowflake:
      break;
  }
  return kMaxIdentifierLength;
}

void Dialect::check(const Identifier& id, std::string_view what) const {
  const std::size_t limit = max_identifier_length();
  if (id.str().size() > limit) {
    throw SecurityError("invalid " + std::string(what) + ": is " + std::to_string(id.str().size()) +
                        " characters long; the " + std::string(name()) + " limit is " +
                        std::to_string(limit));
  }
}

void Dialect::check(const QualifiedName& qn, std::string_view what) const {
  if (qn.schema) check(*qn.schema, std::string(what) + " (schema part)");
  check(qn.name, what);
}

Identifier Dialect::fold_unquoted(const Identifier& id) const {
  if (kind_ != DialectKind::kSnowflake && kind_ != DialectKind::kPostgres) return id;
  std::string text = id.str();
  for (char& c : text) {
    if (kind_ == DialectKind::kSnowflake && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (kind_ == DialectKind::kPostgres && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return Identifier::parse(text);
}

TableRef Dialect::parse_table(std::string_view text, std::string_view what) const {
  TableRef ref{{}, QualifiedName::parse("x")};
  std::string_view rest = text;
  const auto first = text.find('.');
  const auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (kind_ == DialectKind::kBigquery && second != std::string_view::npos) {
    const std::string_view project = text.substr(0, first);
    check_project_id(project, what);
    ref.project = std::string(project);
    rest = text.substr(first + 1);
  }
  ref.name = QualifiedName::parse(rest, what);
  check(ref.name, what);
  return ref;
}

}  // namespace freshguard::sql
