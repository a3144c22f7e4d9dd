#pragma once
// Snowflake's dialect pieces: account identifiers (JWT claims, host names), object names
// from the config, and jsonv2 result values read as timestamps.

#include <cstdint>
#include <string>
#include <string_view>

#include <freshguard/core/time.hpp>
#include <freshguard/sql/identifier.hpp>
#include <freshguard/sql/value.hpp>

namespace freshguard::snowflake {

/// `text` with ASCII letters in upper case (how Snowflake folds unquoted names).
std::string upper(std::string_view text);

/// The account part of key-pair JWT claims: upper case, without a region or cloud suffix
/// (`xy12345.eu-north-1.aws` -> `XY12345`; `myorg-myaccount` -> `MYORG-MYACCOUNT`).
std::string jwt_account(std::string_view account);

/// `https://<account>.snowflakecomputing.com`, lower case, with '_' written as '-' (host
/// names cannot hold underscores; Snowflake serves both spellings).
std::string default_endpoint(std::string_view account);

/// A database, schema, warehouse or role name as written in the config: unquoted names fold
/// to upper case as in Snowflake SQL (`analytics` -> `ANALYTICS`); a name written in double
/// quotes keeps its case (`"Raw"` -> `Raw`). Throws SecurityError (via Identifier) when the
/// name is not a valid identifier; `what` names it in the message.
sql::Identifier object_name(std::string_view text, std::string_view what);

/// `"<seconds>[.<fraction>]"` (jsonv2 timestamps, an optional ` <offset>` suffix ignored) as
/// microseconds since the epoch, exactly (no floating point). Throws MonitoringError.
std::int64_t epoch_micros(std::string_view text);

/// A jsonv2 value of SQL API type `type` (any case): TIMESTAMP_LTZ and TIMESTAMP_TZ as
/// absolute times, TIMESTAMP_NTZ and DATE as naive times, FIXED as a number, TEXT as text,
/// anything else sql::OtherType. Throws MonitoringError when a value cannot be read.
sql::Value decode(std::string_view type, const std::string& value);

/// A jsonv2 value of SQL API type `type` (`timestamp_ltz`, `timestamp_tz`, `timestamp_ntz`,
/// `date`, `fixed`, `text`; any case) as a UTC time. TIMESTAMP_LTZ and TIMESTAMP_TZ are
/// absolute; TIMESTAMP_NTZ (wall-clock seconds) and DATE (days since the epoch) are read in
/// `zone`; FIXED is Unix time (see from_unix_number); TEXT is parsed as ISO-8601 in `zone`.
/// Throws MonitoringError when the value cannot be read as a time.
WallTime value_to_time(std::string_view type, const std::string& value, const TimeZone& zone);

}  // namespace freshguard::snowflake
