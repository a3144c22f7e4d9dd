#pragma once
/// Comparing a table's schema with its baseline: pure functions, thread-safe.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/check_result.hpp>
#include <freshguard/metadata/store.hpp>

namespace freshguard {

/// A declared column type in one spelling, so that equal types compare equal across
/// catalogs: lower case, single spaces, no spaces around parentheses and commas, type
/// parameters kept in full (`VARCHAR( 100 )` -> `varchar(100)`), and synonyms folded
/// (`int`, `int4` -> `integer`; `int8` -> `bigint`; `int2` -> `smallint`; `character
/// varying` -> `varchar`; `character` -> `char`; `bool` -> `boolean`; `decimal` ->
/// `numeric`; `float8`, `double precision` -> `double`; `float4` -> `real`; `timestamp
/// [(p)] without time zone` -> `timestamp[(p)]`; `timestamp with time zone` ->
/// `timestamptz`; likewise `time` / `timetz`).
std::string normalize_type(std::string_view declared);

/// How a column's type changed, judged on normalised types.
enum class TypeChange {
  kSame,
  kWidening,      ///< every old value still fits: integer -> bigint, varchar(20) -> varchar(100)
  kNarrowing,     ///< some old values may not fit: varchar(100) -> varchar(20), bigint -> integer
  kIncompatible,  ///< another family: text -> integer
};
TypeChange compare_types(std::string_view before, std::string_view after);

/// The differences from `baseline` to `current`, matching columns by exact name: removed
/// (high), type changed (narrowing or incompatible high, widening medium), nullability
/// changed (medium), in baseline order; then added (low), in current order. A renamed
/// column is a removal and an addition. Column order alone is not a change.
std::vector<SchemaChange> diff_schemas(std::span<const SchemaColumn> baseline,
                                       std::span<const SchemaColumn> current);

/// A snapshot of `schema` for `rule_id`: names, normalised types, nullability, positions.
SchemaSnapshot snapshot_of(const std::string& rule_id, const TableSchema& schema,
                           WallTime captured_at);

}  // namespace freshguard
