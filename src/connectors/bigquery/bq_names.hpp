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
/// `` `project.dataset.table` ``: one backtick-quoted path, each part validated.
std::string quote_table(std::string_view project, std::string_view dataset,
                        const sql::Identifier& table);

/// A result value of BigQuery type `type` as a UTC time: TIMESTAMP is int64 microseconds
/// (formatOptions.useInt64Timestamp); DATETIME, DATE and STRING are ISO-8601 text read in
/// `zone`; INT64/INTEGER is Unix time (see from_unix_number). Throws MonitoringError when
/// the value cannot be read as a time.
WallTime value_to_time(std::string_view type, const std::string& value, const TimeZone& zone);

/// The columns of a tables.get resource (`schema.fields`: name, type, mode;
/// `tableConstraints.primaryKey.columns`).
TableSchema schema_from_table(const nlohmann::json& table, const sql::Identifier& dataset,
                              const sql::Identifier& name);

}  // namespace freshguard::bigquery
