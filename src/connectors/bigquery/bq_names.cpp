#include "connectors/bigquery/bq_names.hpp"

#include <algorithm>

#include <freshguard/core/error.hpp>
#include <freshguard/core/time.hpp>

namespace freshguard::bigquery {
namespace {

bool is_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

void check_project(std::string_view project) {
  const bool ok = project.size() >= 6 && project.size() <= 30 && is_letter(project.front()) &&
                  std::all_of(project.begin(), project.end(),
                              [](char c) { return is_letter(c) || is_digit(c) || c == '-'; });
  if (!ok) {
    throw ConfigError(
        "BigQuery project must be 6-30 letters, digits or hyphens, starting with a "
        "letter");
  }
}

std::string quote(const sql::Identifier& id) {
  return "`" + id.str() + "`";
}

sql::Value decode(std::string_view type, const std::string& value) {
  try {
    if (type == "TIMESTAMP") return WallTime(std::chrono::microseconds(std::stoll(value)));
    if (type == "INT64" || type == "INTEGER") return std::int64_t{std::stoll(value)};
  } catch (const std::exception&) {
    throw MonitoringError("BigQuery returned an unreadable " + std::string(type) + " value");
  }
  if (type == "DATETIME" || type == "DATE" || type == "STRING") return value;
  return sql::OtherType{std::string(type)};
}

TableSchema schema_from_table(const nlohmann::json& table, const sql::Identifier& dataset,
                              const sql::Identifier& name) {
  TableSchema out{{dataset, name}, {}};
  std::vector<std::string> key;
  if (table.contains("tableConstraints")) {
    const auto pk = table["tableConstraints"].value("primaryKey", nlohmann::json::object());
    for (const auto& c : pk.value("columns", nlohmann::json::array())) {
      if (c.is_string()) key.push_back(c.get<std::string>());
    }
  }
  const auto schema = table.value("schema", nlohmann::json::object());
  int position = 0;
  for (const auto& f : schema.value("fields", nlohmann::json::array())) {
    ColumnInfo c;
    c.name = f.value("name", std::string());
    c.type = f.value("type", std::string());
    c.nullable = f.value("mode", std::string("NULLABLE")) != "REQUIRED";
    c.primary_key = std::find(key.begin(), key.end(), c.name) != key.end();
    c.position = ++position;
    out.columns.push_back(std::move(c));
  }
  return out;
}

}  // namespace freshguard::bigquery
