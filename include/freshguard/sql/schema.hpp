#pragma once
/// What a catalog says about a table, and the rows of a read query: the types every layer
/// from security/ up shares. They live here, below security/ and connectors/, so the name
/// resolution of security/ (schema cache, filter columns) needs no connector.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/core/time.hpp>
#include <freshguard/sql/identifier.hpp>

namespace freshguard {

/// One column as the catalog describes it.
struct ColumnInfo {
  std::string name;
  std::string type;  ///< as declared, e.g. "TIMESTAMP", "varchar(100)"
  bool nullable = true;
  bool primary_key = false;
  int position = 0;  ///< 1-based ordinal
  friend bool operator==(const ColumnInfo&, const ColumnInfo&) = default;
};

/// Rows returned by Connector::query, every value in its text form (nullopt for NULL).
struct QueryRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  /// True when the query had more rows than the connector's cap and the rest were dropped.
  bool truncated = false;
};

/// A table's columns, in ordinal order.
struct TableSchema {
  sql::QualifiedName table;
  std::vector<ColumnInfo> columns;
  /// The column with `name`, exact match first, else a unique case-insensitive match.
  const ColumnInfo* find_column(std::string_view name) const;
  friend bool operator==(const TableSchema&, const TableSchema&) = default;
};

/// What a catalog records about a table without reading it (BigQuery table metadata,
/// Snowflake INFORMATION_SCHEMA.TABLES). Either figure may be missing.
struct CatalogStats {
  /// When the table was last modified. Engines differ on what counts (Snowflake's
  /// LAST_ALTERED also moves on DDL); each connector documents it.
  std::optional<WallTime> last_modified;
  std::optional<std::int64_t> row_count;
};

namespace sql {

/// True when `a` and `b` are equal ignoring ASCII case (catalog names are matched exactly,
/// else ignoring case).
bool iequals(std::string_view a, std::string_view b) noexcept;

/// The outcome of picking a catalog object by name.
enum class NameMatch { kFound, kNone, kAmbiguous };

/// Picks, among `count` candidates whose names `name_of(i)` returns, the one spelled exactly
/// `wanted`, else the only one equal to it ignoring case. `index` is set when kFound.
template <class NameOf>
NameMatch pick_by_name(std::size_t count, std::string_view wanted, NameOf&& name_of,
                       std::size_t& index) {
  for (std::size_t i = 0; i < count; ++i) {
    if (name_of(i) == wanted) {
      index = i;
      return NameMatch::kFound;
    }
  }
  std::size_t found = 0;
  std::size_t matches = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (iequals(name_of(i), wanted)) {
      found = i;
      ++matches;
    }
  }
  if (matches == 0) return NameMatch::kNone;
  if (matches > 1) return NameMatch::kAmbiguous;
  index = found;
  return NameMatch::kFound;
}

}  // namespace sql
}  // namespace freshguard
