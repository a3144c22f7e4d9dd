#include "connectors/snowflake/sf_catalog.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include <freshguard/core/error.hpp>

#include "connectors/common/text.hpp"
#include "connectors/snowflake/sf_values.hpp"

namespace freshguard::snowflake {
namespace {

constexpr sql::Dialect kDialect{sql::DialectKind::kSnowflake};

using Row = std::vector<std::optional<std::string>>;

const std::string& cell(const Result& r, const Row& row, std::string_view column) {
  static const std::string empty;
  const int i = r.column(column);
  if (i < 0 || static_cast<std::size_t>(i) >= row.size() || !row[static_cast<std::size_t>(i)]) {
    return empty;
  }
  return *row[static_cast<std::size_t>(i)];
}

std::optional<std::int64_t> optional_int(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    throw MonitoringError("Snowflake returned an unreadable number in INFORMATION_SCHEMA");
  }
}

}  // namespace

std::string format_mib(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buf;
}

Catalog::Catalog(Api& api, const ApiSettings& settings, std::string source_name,
                 DeadlineFn deadline)
    : api_(api),
      database_(kDialect.quote(sql::Identifier::parse(settings.database, "database name"))),
      default_schema_(sql::Identifier::parse(settings.schema, "schema name")),
      source_name_(std::move(source_name)),
      deadline_(std::move(deadline)) {}

sql::QualifiedName Catalog::requested(const sql::QualifiedName& t) const {
  return sql::QualifiedName{t.schema ? *t.schema : default_schema_, t.name};
}

std::string Catalog::quote(const sql::QualifiedName& resolved) const {
  return database_ + "." + kDialect.quote(resolved);
}

TableEntry Catalog::resolve(const sql::QualifiedName& t) {
  const sql::QualifiedName want = requested(t);
  const Result r = api_.execute(
      "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ROW_COUNT, LAST_ALTERED FROM " + database_ +
          ".INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_SCHEMA) = UPPER(?) AND "
          "UPPER(TABLE_NAME) = UPPER(?)",
      {{"TEXT", want.schema->str()}, {"TEXT", want.name.str()}}, deadline_());
  const Row* chosen = r.rows.size() == 1 ? &r.rows.front() : nullptr;
  for (const auto& row : r.rows) {
    if (cell(r, row, "TABLE_SCHEMA") == want.schema->str() &&
        cell(r, row, "TABLE_NAME") == want.name.str()) {
      chosen = &row;
    }
  }
  const std::string shown = want.schema->str() + "." + want.name.str();
  if (chosen == nullptr && r.rows.size() > 1) {
    throw QueryError("table \"" + shown + "\" matches " + std::to_string(r.rows.size()) +
                     " tables that differ only in case in " + where() + "; write its name exactly");
  }
  if (chosen == nullptr) throw QueryError("table \"" + shown + "\" not found in " + where());
  TableEntry e{{sql::Identifier::parse(cell(r, *chosen, "TABLE_SCHEMA"), "schema name"),
                sql::Identifier::parse(cell(r, *chosen, "TABLE_NAME"), "table name")},
               connectors::iequals(cell(r, *chosen, "TABLE_TYPE"), "VIEW"),
               optional_int(cell(r, *chosen, "ROW_COUNT")),
               std::nullopt};
  const std::string& altered = cell(r, *chosen, "LAST_ALTERED");
  const int type_index = r.column("LAST_ALTERED");
  if (!altered.empty() && type_index >= 0) {
    e.last_altered = value_to_time(r.columns[static_cast<std::size_t>(type_index)].type, altered,
                                   TimeZone::utc());
  }
  return e;
}

std::vector<ColumnInfo> Catalog::columns(const TableEntry& entry) {
  const auto d = deadline_();
  std::vector<std::string> key;
  if (!entry.view) {
    const Result pk = api_.execute("SHOW PRIMARY KEYS IN TABLE " + quote(entry.table), {}, d);
    for (const auto& row : pk.rows)
      key.push_back(cell(pk, row, "column_name"));
  }
  const Result r = api_.execute(
      "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, ORDINAL_POSITION FROM " + database_ +
          ".INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
          "ORDER BY ORDINAL_POSITION",
      {{"TEXT", entry.table.schema->str()}, {"TEXT", entry.table.name.str()}}, d);
  std::vector<ColumnInfo> out;
  for (const auto& row : r.rows) {
    ColumnInfo c;
    c.name = cell(r, row, "COLUMN_NAME");
    c.type = cell(r, row, "DATA_TYPE");
    c.nullable = cell(r, row, "IS_NULLABLE") != "NO";
    c.position = static_cast<int>(optional_int(cell(r, row, "ORDINAL_POSITION")).value_or(0));
    c.primary_key = std::find(key.begin(), key.end(), c.name) != key.end();
    out.push_back(std::move(c));
  }
  return out;
}

TableSchema Catalog::schema(const sql::QualifiedName& t) {
  const TableEntry entry = resolve(t);
  return TableSchema{entry.table, columns(entry)};
}

std::vector<sql::QualifiedName> Catalog::list_tables() {
  const Result r = api_.execute("SELECT TABLE_SCHEMA, TABLE_NAME FROM " + database_ +
                                    ".INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> "
                                    "'INFORMATION_SCHEMA' ORDER BY TABLE_SCHEMA, TABLE_NAME",
                                {}, deadline_());
  std::vector<sql::QualifiedName> out;
  for (const auto& row : r.rows) {
    // Names outside the identifier rules cannot be named by a rule: skip them.
    auto schema = sql::Identifier::try_parse(cell(r, row, "TABLE_SCHEMA"));
    auto name = sql::Identifier::try_parse(cell(r, row, "TABLE_NAME"));
    if (schema && name) out.push_back({*schema, *name});
  }
  return out;
}

double Catalog::explain_bytes(const std::string& query, const resilience::Deadline& deadline) {
  const Result r = api_.execute("EXPLAIN USING JSON " + query, {}, deadline);
  const auto plan = r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]
                        ? nlohmann::json()
                        : nlohmann::json::parse(*r.rows[0][0], nullptr, false);
  const auto* stats =
      plan.is_object() && plan.contains("GlobalStats") ? &plan["GlobalStats"] : nullptr;
  if (stats == nullptr || !stats->is_object() || !stats->contains("bytesAssigned") ||
      !(*stats)["bytesAssigned"].is_number()) {
    throw QueryError("cost guard: cannot read the query plan of " + where() +
                     "; the query was not run");
  }
  return (*stats)["bytesAssigned"].get<double>();
}

}  // namespace freshguard::snowflake
