#pragma once
// What the Snowflake connector learns from the catalog: table resolution and metadata
// (INFORMATION_SCHEMA.TABLES), columns (INFORMATION_SCHEMA.COLUMNS), primary keys (SHOW
// PRIMARY KEYS) and query plans (EXPLAIN USING JSON). None of these scans table data.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <freshguard/connectors/connector.hpp>

#include "connectors/snowflake/sf_api.hpp"

namespace freshguard::snowflake {

/// A table as INFORMATION_SCHEMA.TABLES records it.
struct TableEntry {
  sql::QualifiedName table;  ///< schema and name as Snowflake stores them
  bool view = false;
  std::optional<std::int64_t> row_count;  ///< ROW_COUNT (NULL for views)
  std::optional<WallTime> last_altered;   ///< LAST_ALTERED
};

/// Thread-safe (stateless over the thread-safe Api).
class Catalog {
 public:
  using DeadlineFn = std::function<resilience::Deadline()>;
  /// `api` must outlive this; `deadline` gives each call its deadline.
  Catalog(Api& api, const ApiSettings& settings, std::string source_name, DeadlineFn deadline);

  /// `t` with the default schema filled in (the schema cache's key).
  sql::QualifiedName requested(const sql::QualifiedName& t) const;
  /// `"DATABASE"."SCHEMA"."TABLE"` of a resolved table.
  std::string quote(const sql::QualifiedName& resolved) const;

  /// The catalog entry of `t`: the exact spelling if it exists, else the only
  /// case-insensitive match. Throws QueryError ("table ... not found", or ambiguous).
  TableEntry resolve(const sql::QualifiedName& t);
  /// Resolves `t` and reads its columns and primary key.
  TableSchema schema(const sql::QualifiedName& t);
  /// Every table and view of the database outside INFORMATION_SCHEMA.
  std::vector<sql::QualifiedName> list_tables();
  /// GlobalStats.bytesAssigned of `EXPLAIN USING JSON <query>`. Throws QueryError when the
  /// plan cannot be read (the cost guard fails closed).
  double explain_bytes(const std::string& query, const resilience::Deadline& deadline);

 private:
  std::string where() const { return "source \"" + source_name_ + "\""; }
  std::vector<ColumnInfo> columns(const TableEntry& entry);

  Api& api_;
  std::string database_;
  sql::Identifier default_schema_;
  std::string source_name_;
  DeadlineFn deadline_;
};

/// Bytes for people, binary units as max_scan_mb counts them: "1.5 GiB", "10.0 MiB".
std::string format_mib(double bytes);

}  // namespace freshguard::snowflake
