#pragma once
// Private to the metadata component: how check results are spelled in a store, shared by the
// SQLite and PostgreSQL backends. Enums are stored as their contract spelling (readable with
// plain SQL), times as 64-bit microseconds since the Unix epoch.

#include <cstdint>
#include <string_view>

#include <freshguard/metadata/store.hpp>

namespace freshguard::metadata_detail {

std::int64_t to_micros(WallTime t) noexcept;
WallTime from_micros(std::int64_t us) noexcept;

/// The history record of a check result (id left 0).
ExecutionRecord to_record(const CheckResult& r);

// Parsers of stored spellings. An unknown spelling means the store was written by something
// else: MetadataError naming the column.
RuleType parse_stored_type(std::string_view text);
CheckStatus parse_stored_status(std::string_view text);
Severity parse_stored_severity(std::string_view text);
Method parse_stored_method(std::string_view text);
ErrorCode parse_stored_error_code(std::string_view text);

/// One migration of a backend's schema: applied in order of version, each exactly once.
struct Migration {
  int version;
  const char* description;
  /// One or more statements.
  const char* sql;
};

}  // namespace freshguard::metadata_detail
