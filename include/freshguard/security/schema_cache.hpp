#pragma once
/// SchemaCache: resolved table schemas (columns, primary key) kept between checks, so a check
/// resolves its table and columns without asking the catalog every time.
///
/// Entries are keyed by source name and the qualified table name as the connector asked for
/// it (with the source's default schema filled in). An entry lives `ttl` (default 1 hour)
/// after it was loaded; at most `max_entries` are kept, the least recently used evicted
/// first. Loading is single-flight: while one caller loads a key, every other caller of
/// the same key waits for that load instead of issuing its own catalog query, and all of
/// them get its result (or its exception; failures are never cached). invalidate() drops an
/// entry explicitly: connectors call it when a data query fails in a way that suggests the
/// schema changed (an undefined table or column), so the next check reloads it. A load in
/// flight while its key is invalidated still answers its waiters but is not kept.
///
/// Thread-safe. The loader runs without the cache's lock held.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <freshguard/core/clock.hpp>
#include <freshguard/sql/identifier.hpp>
#include <freshguard/sql/schema.hpp>

namespace freshguard::security {

/// Default time an entry is trusted: one hour.
inline constexpr std::chrono::seconds kDefaultSchemaCacheTtl{3600};
/// Default bound on the number of entries.
inline constexpr std::size_t kDefaultSchemaCacheEntries = 1000;

struct SchemaCacheOptions {
  /// How long a loaded schema is trusted. Default 1 hour. Zero disables keeping entries
  /// (every lookup loads; concurrent lookups of one key still share one load).
  std::chrono::seconds ttl = kDefaultSchemaCacheTtl;
  /// Most entries kept; least recently used evicted first. Default 1000; at least 1.
  std::size_t max_entries = kDefaultSchemaCacheEntries;
  /// Steady time for expiry; nullptr means the system clock. Must outlive the cache.
  const Clock* clock = nullptr;
};

/// Counters, for tests and metrics.
struct SchemaCacheStats {
  std::uint64_t hits = 0;           ///< lookups answered from a live entry
  std::uint64_t misses = 0;         ///< lookups that started a load
  std::uint64_t shared_loads = 0;   ///< lookups that waited for another caller's load
  std::uint64_t loads = 0;          ///< loads that completed (successfully or not)
  std::uint64_t evictions = 0;      ///< entries dropped for the size bound
  std::uint64_t invalidations = 0;  ///< invalidate() calls that dropped something
  std::size_t size = 0;             ///< entries now held
};

class SchemaCache {
 public:
  /// Loads the schema of a table from the catalog. Throws on failure (e.g. QueryError when
  /// the table does not exist); the exception reaches every caller waiting for the load.
  using Loader = std::function<TableSchema()>;

  explicit SchemaCache(SchemaCacheOptions options = {});
  ~SchemaCache();
  SchemaCache(const SchemaCache&) = delete;
  SchemaCache& operator=(const SchemaCache&) = delete;

  /// The schema of `table` on `source`: from a live entry, else from the load in flight for
  /// the same key, else from `load()` (whose result is kept). Never null.
  std::shared_ptr<const TableSchema> get(std::string_view source, const sql::QualifiedName& table,
                                         const Loader& load);

  /// Stores `schema` as the fresh entry for `table` (e.g. after a direct catalog read).
  void put(std::string_view source, const sql::QualifiedName& table, TableSchema schema);

  /// Drops the entry of `table` on `source`, if any. Returns whether anything was dropped
  /// (an entry or a load in flight, whose result will then not be kept).
  bool invalidate(std::string_view source, const sql::QualifiedName& table);

  /// Drops every entry.
  void clear();

  SchemaCacheStats stats() const;
  const SchemaCacheOptions& options() const noexcept { return options_; }

 private:
  struct State;
  SchemaCacheOptions options_;
  std::unique_ptr<State> state_;
};

/// The column `name` of `schema`: the exact spelling, else the only case-insensitive match.
/// Throws QueryError (`column "x" not found in public.orders of source "s"`) when there is
/// none, or when several columns differ only by case. `where` names the source.
const ColumnInfo& find_column_or_throw(const TableSchema& schema, std::string_view name,
                                       std::string_view where);

}  // namespace freshguard::security
