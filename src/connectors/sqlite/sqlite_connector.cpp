#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>
#include <freshguard/sql/query.hpp>

#include "connectors/sqlite/sqlite_handles.hpp"
#include "connectors/sqlite/sqlite_session.hpp"

namespace freshguard {
namespace {

using sqlite::Binds;
using sqlite::DbHandle;
using sqlite::RowFn;
using sqlite::StmtHandle;

constexpr sql::Dialect kSqliteDialect{sql::DialectKind::kSqlite};

}  // namespace

struct SqliteConnector::Impl {
  SqliteOptions opts;
  const Clock* clock;
  std::string path_text;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<DbHandle> idle;
  int open = 0;
  std::shared_ptr<security::SchemaCache> cache;
  security::QueryGuard guard;

  explicit Impl(SqliteOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? opts.clock : &SystemClock::instance()),
        path_text(opts.path.string()),
        cache(opts.schema_cache != nullptr ? opts.schema_cache
                                           : std::make_shared<security::SchemaCache>(
                                                 security::SchemaCacheOptions{.clock = clock})),
        guard(opts.analyzer) {}

  std::string where() const { return "source \"" + opts.source_name + "\""; }

  // Opens a new read-only connection with the source's limits (sqlite_session.hpp).
  DbHandle open_db() const { return sqlite::open_database(opts); }

  DbHandle acquire() {
    std::unique_lock lock(mu);
    const auto give_up = clock->steady_now() + opts.timeout;
    while (idle.empty() && open >= opts.max_connections) {
      // The pool is full: wait for a connection to come back, bounded by the deadline.
      if (cv.wait_for(lock, std::chrono::milliseconds(50)) == std::cv_status::timeout &&
          clock->steady_now() >= give_up) {
        throw TimeoutError("timed out waiting for a free connection to " + where());
      }
    }
    if (!idle.empty()) {
      DbHandle db = std::move(idle.back());
      idle.pop_back();
      return db;
    }
    ++open;
    lock.unlock();
    try {
      return open_db();
    } catch (...) {
      std::lock_guard relock(mu);
      --open;
      cv.notify_one();
      throw;
    }
  }

  void release(DbHandle db, bool poisoned) {
    std::lock_guard lock(mu);
    if (poisoned) {
      --open;
    } else {
      idle.push_back(std::move(db));
    }
    cv.notify_one();
  }

  // Runs one statement with bound text parameters, calling `on_row` for every row.
  void run(const std::string& sql, const Binds& binds, const RowFn& on_row) {
    DbHandle db = acquire();
    bool poisoned = false;
    try {
      run_on(db.get(), sql, binds, on_row);
    } catch (const Error& e) {
      poisoned = e.connection_poisoned();
      release(std::move(db), poisoned);
      throw;
    } catch (...) {
      release(std::move(db), true);
      throw;
    }
    release(std::move(db), false);
  }

  void run_on(sqlite3* db, const std::string& sql, const Binds& binds, const RowFn& on_row) {
    // The per-call timeout, capped by the deadline of the resilience layer's whole call.
    sqlite::execute(db, opts, *clock, resilience::effective_timeout(opts.timeout), sql, binds,
                    on_row);
  }

  std::string schema_of(const sql::QualifiedName& t) const {
    return t.schema ? t.schema->str() : std::string("main");
  }

  // Returns the catalog spelling of the table, or throws QueryError when it does not exist.
  sql::QualifiedName resolve_table(const sql::QualifiedName& t) {
    const std::string schema = schema_of(t);
    bool schema_found = false;
    run("SELECT 1 FROM pragma_database_list WHERE name = ?1", {schema},
        [&](sqlite3_stmt*) { schema_found = true; });
    if (!schema_found) {
      throw QueryError("schema \"" + schema + "\" not found in " + where());
    }
    std::vector<std::string> names;
    const auto id = sql::Identifier::parse(schema, "schema name");
    run("SELECT name FROM " + kSqliteDialect.quote(id) +
            ".sqlite_schema WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE",
        {t.name.str()}, [&](sqlite3_stmt* s) {
          names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
        });
    if (names.empty()) {
      throw QueryError("table \"" + schema + "." + t.name.str() + "\" not found in " + where());
    }
    std::string chosen = names.front();
    for (const auto& n : names) {
      if (n == t.name.str()) chosen = n;
    }
    return sql::QualifiedName{id, sql::Identifier::parse(chosen, "table name")};
  }

  // The table as asked for, with the default schema filled in: the schema cache's key.
  sql::QualifiedName requested(const sql::QualifiedName& t) const {
    return sql::QualifiedName{t.schema ? *t.schema : sql::Identifier::parse("main"), t.name};
  }

  TableSchema load_schema(const sql::QualifiedName& table) {
    TableSchema schema{resolve_table(table), {}};
    run("SELECT name, type, \"notnull\", pk, cid FROM pragma_table_info(?1, ?2)",
        {schema.table.name.str(), schema.table.schema->str()}, [&](sqlite3_stmt* s) {
          ColumnInfo c;
          c.name = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
          const auto* type = sqlite3_column_text(s, 1);
          c.type = type != nullptr ? reinterpret_cast<const char*>(type) : "";
          c.nullable = sqlite3_column_int(s, 2) == 0;
          c.primary_key = sqlite3_column_int(s, 3) > 0;
          c.position = sqlite3_column_int(s, 4) + 1;
          schema.columns.push_back(std::move(c));
        });
    return schema;
  }

  std::shared_ptr<const TableSchema> cached(const sql::QualifiedName& t) {
    return cache->get(opts.source_name, requested(t), [&] { return load_schema(t); });
  }

  // The catalog spelling of `column` in `t`. A column missing from a cached schema reloads
  // it once (it may have been added since), then is a QueryError.
  sql::Identifier resolve_column(const sql::QualifiedName& t, const sql::Identifier& column,
                                 std::shared_ptr<const TableSchema>& schema) {
    schema = cached(t);
    if (schema->find_column(column.str()) == nullptr) {
      cache->invalidate(opts.source_name, requested(t));
      schema = cached(t);
    }
    const ColumnInfo& c = security::find_column_or_throw(*schema, column.str(), where());
    return sql::Identifier::parse(c.name, "column name");
  }

  // Runs a generated data query on `t`: analysed first, then sent. A non-transient query
  // error (an undefined table or column: the schema changed) drops the cached schema.
  void run_data(const sql::QualifiedName& t, const sql::AggregateQuery& q, const RowFn& on_row) {
    const std::string text = guard.checked_sql(q, kSqliteDialect);
    try {
      run(text, {}, on_row);
    } catch (const QueryError& e) {
      if (!e.transient()) cache->invalidate(opts.source_name, requested(t));
      throw;
    }
  }

  std::optional<WallTime> extreme(const sql::QualifiedName& table, const sql::Identifier& column,
                                  const TimeZone& zone, sql::Aggregate fn,
                                  std::string_view filter) {
    std::shared_ptr<const TableSchema> schema;
    const sql::Identifier col = resolve_column(table, column, schema);
    std::optional<WallTime> out;
    run_data(table,
             sql::AggregateQuery{fn, col, schema->table, security::prepare_filter(filter, *schema)},
             [&](sqlite3_stmt* s) {
               const int type = sqlite3_column_type(s, 0);
               const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
               const std::string_view view =
                   text != nullptr ? std::string_view(text) : std::string_view();
               out = sqlite_value_to_time(type, sqlite3_column_int64(s, 0),
                                          sqlite3_column_double(s, 0), view, zone);
               if (!out && type != SQLITE_NULL) {
                 throw MonitoringError("column \"" + col.str() + "\" of " +
                                       schema->table.display() +
                                       " holds a value that is not a timestamp");
               }
             });
    return out;
  }
};

std::optional<WallTime> sqlite_value_to_time(int sqlite_type, std::int64_t int_value,
                                             double real_value, std::string_view text,
                                             const TimeZone& zone) {
  using std::chrono::microseconds;
  switch (sqlite_type) {
    case SQLITE_INTEGER:
      return from_unix_number(int_value);
    case SQLITE_FLOAT: {
      // Julian day number: day 2440587.5 is the Unix epoch.
      if (!std::isfinite(real_value) || real_value < 0 || real_value > 5373484.0) {
        return std::nullopt;
      }
      const double us = (real_value - 2440587.5) * 86400.0 * 1e6;
      return WallTime(microseconds(static_cast<std::int64_t>(std::llround(us))));
    }
    case SQLITE_TEXT:
      return parse_timestamp(text, zone);
    default:
      return std::nullopt;
  }
}

SqliteConnector::SqliteConnector(SqliteOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

SqliteConnector::~SqliteConnector() = default;

const std::string& SqliteConnector::source_name() const noexcept {
  return impl_->opts.source_name;
}

const sql::Dialect& SqliteConnector::dialect() const noexcept {
  return kSqliteDialect;
}

void SqliteConnector::test_connection() {
  impl_->run("SELECT 1", {}, [](sqlite3_stmt*) {});
}

std::vector<sql::QualifiedName> SqliteConnector::list_tables() {
  std::vector<sql::QualifiedName> out;
  impl_->run(
      "SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view') "
      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      {}, [&](sqlite3_stmt* s) {
        const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        // Tables whose names are not plain identifiers cannot be monitored; skip them.
        if (auto id = sql::Identifier::try_parse(name)) {
          out.push_back(sql::QualifiedName{sql::Identifier::parse("main"), *id});
        }
      });
  return out;
}

TableSchema SqliteConnector::table_schema(const sql::QualifiedName& table) {
  auto schema = impl_->load_schema(table);
  impl_->cache->put(impl_->opts.source_name, impl_->requested(table), schema);
  return schema;
}

std::shared_ptr<const TableSchema> SqliteConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->cached(table);
}

std::int64_t SqliteConnector::row_count(const sql::QualifiedName& table) {
  return filtered_row_count(table, {});
}

std::int64_t SqliteConnector::filtered_row_count(const sql::QualifiedName& table,
                                                 std::string_view filter) {
  const auto schema = impl_->cached(table);
  std::int64_t n = 0;
  impl_->run_data(
      table,
      sql::AggregateQuery{
          sql::Aggregate::kCountAll, {}, schema->table, security::prepare_filter(filter, *schema)},
      [&](sqlite3_stmt* s) { n = sqlite3_column_int64(s, 0); });
  return n;
}

std::optional<WallTime> SqliteConnector::filtered_max_timestamp(const sql::QualifiedName& table,
                                                                const sql::Identifier& column,
                                                                const TimeZone& zone,
                                                                std::string_view filter) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMax, filter);
}

std::optional<WallTime> SqliteConnector::max_timestamp(const sql::QualifiedName& table,
                                                       const sql::Identifier& column,
                                                       const TimeZone& zone) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMax, {});
}

std::optional<WallTime> SqliteConnector::min_timestamp(const sql::QualifiedName& table,
                                                       const sql::Identifier& column,
                                                       const TimeZone& zone) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMin, {});
}

int SqliteConnector::open_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->open;
}

}  // namespace freshguard
