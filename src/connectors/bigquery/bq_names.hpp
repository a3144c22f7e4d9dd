#pragma once
// BigQuery's dialect pieces: backtick quoting of validated names (project ids may hold
// hyphens), result values to timestamps, and table metadata to a TableSchema.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <freshguard/connectors/connector.hpp>

namespace freshguard::bigquery {

/// Throws ConfigError unless `project` is 6-30 lowercase or uppercase letters, digits and
/// hyphens starting with a letter (Google's project-id rule, as the config loader checks).
void check_project(std::string_view project);

/// `` `name` `` (a validated identifier holds no backtick, so nothing needs escaping).
std::string quote(const sql::Identifier& id);
/// A result value of BigQuery type `type`: TIMESTAMP is int64 microseconds
/// (formatOptions.useInt64Timestamp), an absolute time; INT64/INTEGER a number (a count, or
/// Unix time); DATETIME, DATE and STRING ISO-8601 text (read in the rule's zone); any other
/// type sql::OtherType. Throws MonitoringError when a number cannot be read.
sql::Value decode(std::string_view type, const std::string& value);

/// The columns of a tables.get resource (`schema.fields`: name, type, mode;
/// `tableConstraints.primaryKey.columns`).
TableSchema schema_from_table(const nlohmann::json& table, const sql::Identifier& dataset,
                              const sql::Identifier& name);

}  // namespace freshguard::bigquery
