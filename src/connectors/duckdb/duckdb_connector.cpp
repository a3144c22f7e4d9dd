#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>

#include "connectors/common/database_file.hpp"
#include "connectors/duckdb/duckdb_handles.hpp"
#include "connectors/duckdb/duckdb_session.hpp"

namespace freshguard {
namespace {

using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;
using Rows = std::vector<Row>;

constexpr sql::Dialect kDuckdbDialect{sql::DialectKind::kDuckdb};
constexpr std::string_view kMemory = ":memory:";

// Every catalog query returns VARCHAR columns only, so one reader serves them all.
constexpr const char* kRelations =
    "(SELECT schema_name, table_name FROM duckdb_tables() "
    " WHERE database_name = current_database() "
    " UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
    " WHERE database_name = current_database() AND NOT internal)";

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

void check_path(const std::string& source, const std::string& path) {
  if (path == kMemory) return;
  if (const auto dir = connectors::system_directory(path)) {
    throw SecurityError("source \"" + source + "\": DuckDB path points into a system directory (" +
                        *dir + ")");
  }
}

// Reads VARCHAR cells from every chunk of a materialised result.
Rows read_rows(duckdb_result& res) {
  Rows rows;
  const idx_t cols = duckdb_column_count(&res);
  while (true) {
    duckdb::Chunk chunk(duckdb_fetch_chunk(res));
    if (!chunk) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk.get());
    if (n == 0) break;
    for (idx_t r = 0; r < n; ++r)
      rows.emplace_back(cols);
    for (idx_t c = 0; c < cols; ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk.get(), c);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec));
      uint64_t* validity = duckdb_vector_get_validity(vec);
      for (idx_t r = 0; r < n; ++r) {
        if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) continue;
        duckdb_string_t* s = &data[r];
        rows[rows.size() - n + r][c] =
            std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s));
      }
    }
  }
  return rows;
}

}  // namespace

bool duckdb_available() noexcept {
  return true;
}

struct DuckdbConnector::Impl {
  DuckdbOptions opts;
  const Clock* clock;
  mutable std::mutex mu;
  std::condition_variable cv;
  duckdb::Database db;
  std::vector<duckdb::Connection> idle;
  int open = 0;
  std::shared_ptr<security::SchemaCache> cache;
  security::QueryGuard guard;
  duckdb::InterruptWatchdog watchdog;

  explicit Impl(DuckdbOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? opts.clock : &SystemClock::instance()),
        cache(opts.schema_cache != nullptr ? opts.schema_cache
                                           : std::make_shared<security::SchemaCache>(
                                                 security::SchemaCacheOptions{.clock = clock})),
        guard(opts.analyzer),
        watchdog(*clock) {
    check_path(opts.source_name, opts.path);
  }

  std::string where() const { return "source \"" + opts.source_name + "\""; }

  // Opens the shared database handle once, bounded (duckdb_session.hpp). Called with `mu`
  // held.
  void open_database() {
    if (!db) db = duckdb::open_database(opts);
  }

  duckdb::Connection acquire() {
    std::unique_lock lock(mu);
    const auto give_up = clock->steady_now() + opts.timeout;
    while (idle.empty() && open >= opts.max_connections) {
      if (cv.wait_for(lock, std::chrono::milliseconds(50)) == std::cv_status::timeout &&
          clock->steady_now() >= give_up) {
        throw TimeoutError("timed out waiting for a free connection to " + where());
      }
    }
    if (!idle.empty()) {
      duckdb::Connection c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
    open_database();
    duckdb_connection raw = nullptr;
    if (duckdb_connect(db.get(), &raw) != DuckDBSuccess) {
      throw ConnectionError("cannot connect to DuckDB database for " + where());
    }
    ++open;
    return duckdb::Connection(raw);
  }

  void release(duckdb::Connection c, bool poisoned) {
    std::lock_guard lock(mu);
    if (poisoned) {
      --open;
    } else {
      idle.push_back(std::move(c));
    }
    cv.notify_one();
  }

  Rows run(const std::string& sql, const std::vector<std::string>& binds) {
    duckdb::Connection c = acquire();
    try {
      Rows rows = run_on(c.get(), sql, binds);
      release(std::move(c), false);
      return rows;
    } catch (const Error& e) {
      release(std::move(c), e.connection_poisoned());
      throw;
    } catch (...) {
      release(std::move(c), true);
      throw;
    }
  }

  Rows run_on(duckdb_connection conn, const std::string& sql,
              const std::vector<std::string>& binds) {
    // The per-call timeout, capped by the deadline of the resilience layer's whole call.
    duckdb::Result res;
    duckdb::execute(conn, opts, *clock, resilience::effective_timeout(opts.timeout), watchdog, sql,
                    binds, res);
    return read_rows(res.get());
  }

  static std::int64_t to_int(const Cell& cell) { return cell ? std::stoll(*cell) : 0; }

  // The catalog spelling of `t`: exact match first, else a unique case-insensitive one.
  sql::QualifiedName resolve_table(const sql::QualifiedName& t) {
    const std::string schema = t.schema ? t.schema->str() : std::string("main");
    const Rows rows = run(std::string("SELECT schema_name, table_name FROM ") + kRelations +
                              " WHERE lower(schema_name) = lower($1) AND "
                              "lower(table_name) = lower($2)",
                          {schema, t.name.str()});
    const Row* chosen = rows.size() == 1 ? &rows.front() : nullptr;
    for (const auto& r : rows) {
      if (*r[0] == schema && *r[1] == t.name.str()) chosen = &r;
    }
    if (chosen == nullptr) {
      throw QueryError("table \"" + schema + "." + t.name.str() + "\" not found in " + where());
    }
    return sql::QualifiedName{sql::Identifier::parse(*(*chosen)[0], "schema name"),
                              sql::Identifier::parse(*(*chosen)[1], "table name")};
  }

  std::vector<ColumnInfo> columns(const sql::QualifiedName& t) {
    const Rows pk =
        run("SELECT unnest(constraint_column_names) FROM duckdb_constraints() "
            "WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 "
            "AND constraint_type = 'PRIMARY KEY'",
            {t.schema->str(), t.name.str()});
    const Rows rows =
        run("SELECT column_name, data_type, is_nullable::VARCHAR, column_index::VARCHAR "
            "FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = $1 AND table_name = $2 ORDER BY column_index",
            {t.schema->str(), t.name.str()});
    std::vector<ColumnInfo> out;
    for (const auto& r : rows) {
      ColumnInfo c;
      c.name = r[0].value_or("");
      c.type = r[1].value_or("");
      c.nullable = r[2].value_or("true") == "true";
      c.position = static_cast<int>(to_int(r[3]));
      c.primary_key =
          std::any_of(pk.begin(), pk.end(), [&](const Row& p) { return p[0] && *p[0] == c.name; });
      out.push_back(std::move(c));
    }
    return out;
  }

  // The table as asked for, with the default schema filled in: the schema cache's key.
  sql::QualifiedName requested(const sql::QualifiedName& t) const {
    return sql::QualifiedName{t.schema ? *t.schema : sql::Identifier::parse("main"), t.name};
  }

  TableSchema load_schema(const sql::QualifiedName& t) {
    TableSchema schema{resolve_table(t), {}};
    schema.columns = columns(schema.table);
    return schema;
  }

  std::shared_ptr<const TableSchema> cached(const sql::QualifiedName& t) {
    return cache->get(opts.source_name, requested(t), [&] { return load_schema(t); });
  }

  // Runs a generated data query on `t`: `select_from` plus the rule's filter rendered from its
  // allowlisted tree (columns resolved in `schema`). The PostgreSQL rendering is analysed
  // first (DuckDB's select list is in the PostgreSQL grammar), then the DuckDB one is sent. A
  // query error drops the cached schema (it may have changed).
  Rows run_data(const sql::QualifiedName& t, const TableSchema& schema,
                const std::string& select_from, std::string_view filter) {
    std::string text = select_from;
    std::string analysed = select_from;
    if (const auto where = security::prepare_filter(filter, schema)) {
      text += " WHERE " + sql::render(*where, kDuckdbDialect);
      analysed += " WHERE " + sql::render(*where, sql::kAnalysisDialect);
    }
    guard.analyzer().check(analysed);
    try {
      return run(text, {});
    } catch (const QueryError& e) {
      if (!e.transient()) cache->invalidate(opts.source_name, requested(t));
      throw;
    }
  }

  std::optional<WallTime> extreme(const sql::QualifiedName& table, const sql::Identifier& asked,
                                  const TimeZone& zone, const char* fn, std::string_view filter) {
    auto schema = cached(table);
    if (schema->find_column(asked.str()) == nullptr) {
      cache->invalidate(opts.source_name, requested(table));  // it may have been added since
      schema = cached(table);
    }
    const ColumnInfo& info = security::find_column_or_throw(*schema, asked.str(), {});
    const sql::Identifier column = sql::Identifier::parse(info.name, "column name");
    const sql::QualifiedName& resolved = schema->table;
    const std::string type = upper(info.type);
    const std::string agg = std::string(fn) + "(" + kDuckdbDialect.quote(column) + ")";
    const std::string from = " FROM " + kDuckdbDialect.quote(resolved);
    enum class Kind { kAbsolute, kNaive, kText, kNumber } kind;
    std::string expr;
    if (type.rfind("TIMESTAMP WITH TIME ZONE", 0) == 0) {
      kind = Kind::kAbsolute;
      expr = "epoch_us(" + agg + ")::VARCHAR";
    } else if (type.rfind("TIMESTAMP", 0) == 0 || type == "DATE") {
      kind = Kind::kNaive;
      expr = "epoch_us(" + agg + "::TIMESTAMP)::VARCHAR";
    } else if (type == "VARCHAR") {
      kind = Kind::kText;
      expr = agg;
    } else if (type == "BIGINT" || type == "INTEGER" || type == "SMALLINT" || type == "HUGEINT" ||
               type == "UBIGINT" || type == "UINTEGER") {
      kind = Kind::kNumber;
      expr = agg + "::BIGINT::VARCHAR";
    } else {
      throw MonitoringError("column \"" + column.str() + "\" of " + resolved.display() +
                            " has type " + type + ", which does not hold timestamps");
    }
    const Rows rows = run_data(table, *schema, "SELECT " + expr + from, filter);
    if (rows.empty() || !rows[0][0]) return std::nullopt;
    const std::string& v = *rows[0][0];
    switch (kind) {
      case Kind::kAbsolute:
        return WallTime(std::chrono::microseconds(std::stoll(v)));
      case Kind::kNaive:
        return zone.to_utc(std::chrono::local_time<std::chrono::microseconds>(
            std::chrono::microseconds(std::stoll(v))));
      case Kind::kNumber:
        return from_unix_number(std::stoll(v));
      case Kind::kText:
        break;
    }
    auto parsed = parse_timestamp(v, zone);
    if (!parsed) {
      throw MonitoringError("column \"" + column.str() + "\" of " + resolved.display() +
                            " holds a value that is not a timestamp");
    }
    return parsed;
  }
};

DuckdbConnector::DuckdbConnector(DuckdbOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

DuckdbConnector::~DuckdbConnector() = default;

const std::string& DuckdbConnector::source_name() const noexcept {
  return impl_->opts.source_name;
}

const sql::Dialect& DuckdbConnector::dialect() const noexcept {
  return kDuckdbDialect;
}

void DuckdbConnector::test_connection() {
  impl_->run("SELECT 1::VARCHAR", {});
}

std::vector<sql::QualifiedName> DuckdbConnector::list_tables() {
  std::vector<sql::QualifiedName> out;
  for (const auto& r : impl_->run(
           std::string("SELECT schema_name, table_name FROM ") + kRelations + " ORDER BY 1, 2",
           {})) {
    auto schema = sql::Identifier::try_parse(r[0].value_or(""));
    auto name = sql::Identifier::try_parse(r[1].value_or(""));
    // Tables whose names are not plain identifiers cannot be monitored; skip them.
    if (schema && name) out.push_back(sql::QualifiedName{*schema, *name});
  }
  return out;
}

TableSchema DuckdbConnector::table_schema(const sql::QualifiedName& table) {
  auto schema = impl_->load_schema(table);
  impl_->cache->put(impl_->opts.source_name, impl_->requested(table), schema);
  return schema;
}

std::shared_ptr<const TableSchema> DuckdbConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->cached(table);
}

std::int64_t DuckdbConnector::row_count(const sql::QualifiedName& table) {
  return filtered_row_count(table, {});
}

std::int64_t DuckdbConnector::filtered_row_count(const sql::QualifiedName& table,
                                                 std::string_view filter) {
  const auto schema = impl_->cached(table);
  const Rows rows = impl_->run_data(
      table, *schema, "SELECT count(*)::VARCHAR FROM " + kDuckdbDialect.quote(schema->table),
      filter);
  return Impl::to_int(rows.at(0).at(0));
}

std::optional<WallTime> DuckdbConnector::filtered_max_timestamp(const sql::QualifiedName& table,
                                                                const sql::Identifier& column,
                                                                const TimeZone& zone,
                                                                std::string_view filter) {
  return impl_->extreme(table, column, zone, "max", filter);
}

std::optional<WallTime> DuckdbConnector::max_timestamp(const sql::QualifiedName& table,
                                                       const sql::Identifier& column,
                                                       const TimeZone& zone) {
  return impl_->extreme(table, column, zone, "max", {});
}

std::optional<WallTime> DuckdbConnector::min_timestamp(const sql::QualifiedName& table,
                                                       const sql::Identifier& column,
                                                       const TimeZone& zone) {
  return impl_->extreme(table, column, zone, "min", {});
}

int DuckdbConnector::open_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->open;
}

}  // namespace freshguard
