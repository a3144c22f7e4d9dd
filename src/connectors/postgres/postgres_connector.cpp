#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <system_error>
#include <tuple>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>
#include <freshguard/sql/query.hpp>

#include "connectors/postgres/pg_config.hpp"
#include "connectors/postgres/pg_pool.hpp"
#include "connectors/postgres/pg_queries.hpp"
#include "connectors/postgres/pg_session.hpp"
#include "connectors/postgres/pg_time.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;

constexpr sql::Dialect kPostgresDialect{sql::DialectKind::kPostgres};

// One row of a result as text; nullptr for NULL.
const char* cell(const PGresult* res, int row, int col) {
  return PQgetisnull(res, row, col) != 0 ? nullptr : PQgetvalue(res, row, col);
}

std::int64_t to_int64(const char* text, const std::string& what) {
  std::int64_t value = 0;
  const std::string_view view = text != nullptr ? text : "";
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (ec != std::errc() || end != view.data() + view.size()) {
    throw MonitoringError("unexpected " + what + " from PostgreSQL");
  }
  return value;
}

// What the connector can check of its role: FreshGuard never calls NOTIFY or advisory locks
// (filters and query() cannot name them), but a role that may is one a compromise could use;
// docs/SECURITY_HARDENING.md shows the REVOKE. Logged once per connector, at `freshguard test`.
void warn_about_privileges(const std::string& source, pg::Session& s, const pg::Deadline& d) {
  static constexpr std::array<std::string_view, 4> kRisky = {"pg_notify", "pg_try_advisory_lock",
                                                             "pg_advisory_lock", "superuser"};
  const auto res = s.exec(pg::kRiskyPrivilegesSql, {}, d);
  std::string can;
  for (int col = 0; col < PQnfields(res.get()) && col < static_cast<int>(kRisky.size()); ++col) {
    const char* v = cell(res.get(), 0, col);
    if (v == nullptr || std::string_view(v) != "t") continue;
    can += can.empty() ? "" : ", ";
    can += kRisky[static_cast<std::size_t>(col)];
  }
  if (can.empty()) return;
  obs::LogEvent ev;
  ev.level = obs::LogLevel::kWarn;
  ev.component = "connector";
  ev.action = "role.privileges";
  ev.source = source;
  ev.message = "the role of source \"" + source + "\" can call " + can +
               "; FreshGuard never does, but a monitoring role should not be able to "
               "(docs/SECURITY_HARDENING.md shows the REVOKE)";
  obs::logger().log(ev);
}

}  // namespace

struct PostgresConnector::Impl {
  PostgresOptions opts;
  std::atomic<bool> privileges_checked{false};
  const Clock& clock;
  std::string default_schema;
  sql::Identifier default_schema_id;
  pg::SessionConfig session;
  pg::Pool pool;
  std::shared_ptr<security::SchemaCache> cache;
  security::QueryGuard guard;

  explicit Impl(PostgresOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? *opts.clock : SystemClock::instance()),
        default_schema(opts.schema.empty() ? "public" : opts.schema),
        default_schema_id(sql::Identifier::parse(default_schema, "default schema")),
        session(pg::session_config(opts, clock)),
        pool(session, pg::pool_config(opts)),
        cache(opts.schema_cache != nullptr ? opts.schema_cache
                                           : std::make_shared<security::SchemaCache>(
                                                 security::SchemaCacheOptions{.clock = &clock})),
        guard(opts.analyzer) {}

  std::string where() const { return "source \"" + opts.source_name + "\""; }

  // Runs `fn(session, deadline)` on a pooled connection under the call's deadline. A
  // connection that failed with a poisoning error is closed instead of returned.
  template <class Fn>
  auto with_session(Fn&& fn) {
    const milliseconds budget = resilience::effective_timeout(opts.timeout);
    if (budget <= milliseconds(0)) {
      throw TimeoutError("no time left for a call on " + where());
    }
    const auto deadline = pg::Deadline::after(clock, budget);
    auto lease = pool.acquire(deadline);
    try {
      return fn(*lease, deadline);
    } catch (const Error& e) {
      if (e.connection_poisoned()) lease.poison();
      throw;
    } catch (...) {
      lease.poison();
      throw;
    }
  }

  std::string schema_of(const sql::QualifiedName& t) const {
    return t.schema ? t.schema->str() : default_schema;
  }

  [[noreturn]] void not_found(const sql::QualifiedName& t) const {
    throw QueryError("table \"" + schema_of(t) + "." + t.name.str() + "\" not found in " + where());
  }

  [[noreturn]] void ambiguous(std::string_view what, std::string_view name) const {
    throw QueryError(std::string(what) + " \"" + std::string(name) + "\" matches several in " +
                     where() + " that differ only by case; write it exactly as defined");
  }

  // Picks the row index of the table among catalog rows (columns 0: schema, 1: table,
  // 2: oid): the exact spelling first, else the only case-insensitive match.
  int pick_table(const PGresult* res, const sql::QualifiedName& t) const {
    const std::string schema = schema_of(t);
    int exact = -1;
    int first = -1;
    std::int64_t first_oid = 0;
    bool several = false;
    for (int row = 0; row < PQntuples(res); ++row) {
      const std::int64_t oid = to_int64(cell(res, row, 2), "table id");
      if (exact < 0 && schema == cell(res, row, 0) && t.name.str() == cell(res, row, 1)) {
        exact = row;
      }
      if (first < 0) {
        first = row;
        first_oid = oid;
      } else if (oid != first_oid) {
        several = true;
      }
    }
    if (exact >= 0) return exact;
    if (first < 0) not_found(t);
    if (several) ambiguous("table name", t.display());
    return first;
  }

  sql::QualifiedName catalog_name(const PGresult* res, int row) const {
    return sql::QualifiedName{sql::Identifier::parse(cell(res, row, 0), "schema name"),
                              sql::Identifier::parse(cell(res, row, 1), "table name")};
  }

  // The table as asked for, with the default schema filled in: the schema cache's key.
  sql::QualifiedName requested(const sql::QualifiedName& t) const {
    return sql::QualifiedName{t.schema ? *t.schema : default_schema_id, t.name};
  }

  TableSchema load_schema(pg::Session& s, const pg::Deadline& d, const sql::QualifiedName& t) {
    const auto res = s.exec(pg::kTableSchemaSql, {schema_of(t), t.name.str()}, d);
    const PGresult* r = res.get();
    const int chosen = pick_table(r, t);
    const char* oid = cell(r, chosen, 2);
    TableSchema schema{catalog_name(r, chosen), {}};
    for (int row = 0; row < PQntuples(r); ++row) {
      if (std::string_view(cell(r, row, 2)) != oid || cell(r, row, 3) == nullptr) continue;
      ColumnInfo c;
      c.name = cell(r, row, 3);
      c.type = cell(r, row, 4);
      c.nullable = std::string_view(cell(r, row, 5)) != "t";
      c.primary_key = std::string_view(cell(r, row, 6)) == "t";
      c.position = static_cast<int>(schema.columns.size()) + 1;
      schema.columns.push_back(std::move(c));
    }
    return schema;
  }

  std::shared_ptr<const TableSchema> cached(pg::Session& s, const pg::Deadline& d,
                                            const sql::QualifiedName& t) {
    kPostgresDialect.check(t);  // longer names would be truncated by the server: refuse them
    return cache->get(opts.source_name, requested(t), [&] { return load_schema(s, d, t); });
  }

  // The catalog spelling of `column` in `t`. A column missing from a cached schema reloads
  // it once (it may have been added since), then is a QueryError.
  std::pair<sql::QualifiedName, sql::Identifier> resolve(pg::Session& s, const pg::Deadline& d,
                                                         const sql::QualifiedName& t,
                                                         const sql::Identifier& column) {
    kPostgresDialect.check(column, "column name");
    auto schema = cached(s, d, t);
    if (schema->find_column(column.str()) == nullptr) {
      cache->invalidate(opts.source_name, requested(t));
      schema = cached(s, d, t);
    }
    const ColumnInfo& c = security::find_column_or_throw(*schema, column.str(), where());
    return {schema->table, sql::Identifier::parse(c.name, "column name")};
  }

  // Runs a generated data query on `t`: analysed first, then sent. A non-transient query
  // error (an undefined table or column: the schema changed) drops the cached schema.
  // `stale` is set when that happened, so the caller may try once more with a fresh schema.
  pg::ResultHandle run_data(pg::Session& s, const pg::Deadline& d, const sql::QualifiedName& t,
                            const sql::AggregateQuery& q, bool& stale) {
    const std::string text = guard.checked_sql(q, kPostgresDialect);
    if (q.filter) guard_cost(s, d, text, "rule filter");
    try {
      return s.exec(text, {}, d);
    } catch (const QueryError& e) {
      stale = !e.transient() && cache->invalidate(opts.source_name, requested(t));
      throw;
    }
  }

  // Runs `attempt(stale)` (resolve through the cache, then run_data); when its data query
  // failed on a schema the cache then dropped, runs it once more: a table dropped and
  // replaced, or renamed to another case, is found again; a missing one is a clear error.
  template <class Fn>
  auto retry_if_stale(Fn&& attempt) {
    bool stale = false;
    try {
      return attempt(stale);
    } catch (const QueryError&) {
      if (!stale) throw;
    }
    bool again = false;
    return attempt(again);
  }

  // Plans `text` (EXPLAIN, never ANALYZE) and refuses it when the estimate is beyond the
  // cost limits. Full scans are sized from pg_class.relpages.
  void guard_cost(pg::Session& s, const pg::Deadline& d, const std::string& text,
                  std::string_view what) {
    const auto plan = s.exec("EXPLAIN (VERBOSE, FORMAT JSON) " + text, {}, d);
    auto estimate = security::parse_pg_plan(cell(plan.get(), 0, 0));
    for (const auto& scan : estimate.scans) {
      if (!scan.full_scan) continue;
      const auto size = s.exec(pg::kRelationBytesSql, {scan.schema, scan.name}, d);
      const char* bytes = PQntuples(size.get()) > 0 ? cell(size.get(), 0, 0) : nullptr;
      if (bytes != nullptr) estimate.scan_bytes += static_cast<double>(to_int64(bytes, "size"));
    }
    security::check_plan(estimate, opts.cost_limits, what);
  }

  std::optional<WallTime> extreme(const sql::QualifiedName& table, const sql::Identifier& column,
                                  const TimeZone& zone, sql::Aggregate fn,
                                  std::string_view filter) {
    return with_session([&](pg::Session& s, const pg::Deadline& d) -> std::optional<WallTime> {
      sql::QualifiedName name = table;
      sql::Identifier col = column;
      const auto res = retry_if_stale([&](bool& stale) {
        std::tie(name, col) = resolve(s, d, table, column);
        const auto schema = cached(s, d, table);
        return run_data(
            s, d, table,
            sql::AggregateQuery{fn, col, name, security::prepare_filter(filter, *schema)}, stale);
      });
      const sql::QualifiedName& r_table = name;
      const sql::Identifier& r_column = col;
      const auto type = static_cast<unsigned>(PQftype(res.get(), 0));
      const std::string what = "column \"" + r_column.str() + "\" of " + r_table.display();
      if (!pg::is_time_type(type)) {
        throw MonitoringError(what +
                              " is not a timestamp, timestamptz, date or text column; "
                              "freshness needs one of those");
      }
      const char* text = cell(res.get(), 0, 0);
      if (text == nullptr) return std::nullopt;
      auto t = pg::text_to_time(type, text, zone);
      if (!t) throw MonitoringError(what + " holds a value that is not a finite timestamp");
      return t;
    });
  }
};

PostgresConnector::PostgresConnector(PostgresOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

PostgresConnector::~PostgresConnector() = default;

const std::string& PostgresConnector::source_name() const noexcept {
  return impl_->opts.source_name;
}

const sql::Dialect& PostgresConnector::dialect() const noexcept {
  return kPostgresDialect;
}

void PostgresConnector::test_connection() {
  impl_->with_session([&](pg::Session& s, const pg::Deadline& d) {
    s.exec("SELECT 1", {}, d);
    if (!impl_->privileges_checked.exchange(true)) {
      warn_about_privileges(impl_->opts.source_name, s, d);
    }
  });
}

std::vector<sql::QualifiedName> PostgresConnector::list_tables() {
  return impl_->with_session([&](pg::Session& s, const pg::Deadline& d) {
    const auto res = s.exec(pg::kListTablesSql, {impl_->default_schema}, d);
    std::vector<sql::QualifiedName> out;
    for (int row = 0; row < PQntuples(res.get()); ++row) {
      // Tables whose names are not plain identifiers cannot be monitored; skip them.
      auto schema = sql::Identifier::try_parse(cell(res.get(), row, 0));
      auto name = sql::Identifier::try_parse(cell(res.get(), row, 1));
      if (schema && name) out.push_back(sql::QualifiedName{std::move(schema), std::move(*name)});
    }
    return out;
  });
}

TableSchema PostgresConnector::table_schema(const sql::QualifiedName& table) {
  auto schema = impl_->with_session(
      [&](pg::Session& s, const pg::Deadline& d) { return impl_->load_schema(s, d, table); });
  impl_->cache->put(impl_->opts.source_name, impl_->requested(table), schema);
  return schema;
}

std::shared_ptr<const TableSchema> PostgresConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->with_session(
      [&](pg::Session& s, const pg::Deadline& d) { return impl_->cached(s, d, table); });
}

std::int64_t PostgresConnector::row_count(const sql::QualifiedName& table) {
  return filtered_row_count(table, {});
}

std::int64_t PostgresConnector::filtered_row_count(const sql::QualifiedName& table,
                                                   std::string_view filter) {
  return impl_->with_session([&](pg::Session& s, const pg::Deadline& d) {
    const auto res = impl_->retry_if_stale([&](bool& stale) {
      const auto schema = impl_->cached(s, d, table);
      return impl_->run_data(s, d, table,
                             sql::AggregateQuery{sql::Aggregate::kCountAll,
                                                 {},
                                                 schema->table,
                                                 security::prepare_filter(filter, *schema)},
                             stale);
    });
    return to_int64(cell(res.get(), 0, 0), "row count");
  });
}

std::optional<WallTime> PostgresConnector::filtered_max_timestamp(const sql::QualifiedName& table,
                                                                  const sql::Identifier& column,
                                                                  const TimeZone& zone,
                                                                  std::string_view filter) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMax, filter);
}

std::optional<WallTime> PostgresConnector::max_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMax, {});
}

std::optional<WallTime> PostgresConnector::min_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMin, {});
}

std::optional<std::int64_t> PostgresConnector::estimated_row_count(
    const sql::QualifiedName& table) {
  return impl_->with_session(
      [&](pg::Session& s, const pg::Deadline& d) -> std::optional<std::int64_t> {
        const auto schema = impl_->cached(s, d, table);
        const auto res =
            s.exec(pg::kEstimateSql, {schema->table.schema->str(), schema->table.name.str()}, d);
        const char* estimate = cell(res.get(), 0, 0);
        if (estimate == nullptr) return std::nullopt;
        return to_int64(estimate, "row estimate");
      });
}

QueryRows PostgresConnector::query(std::string_view sql_text) {
  (void)impl_->guard.analyzer().check_read_query(sql_text);
  // One statement, so a trailing `;` (and space) is the only text after it worth dropping;
  // the newline ends a trailing `--` comment before the cursor's text continues.
  std::string text(sql_text);
  while (!text.empty() &&
         (std::isspace(static_cast<unsigned char>(text.back())) != 0 || text.back() == ';')) {
    text.pop_back();
  }
  return impl_->with_session([&](pg::Session& s, const pg::Deadline& d) {
    const int cap = std::max(impl_->opts.max_result_rows, 1);
    s.exec("BEGIN TRANSACTION READ ONLY", {}, d);
    try {
      // Unqualified names in the query mean the source's default schema, as in rules.
      s.exec("SET LOCAL search_path TO " + kPostgresDialect.quote(impl_->default_schema_id), {}, d);
      impl_->guard_cost(s, d, text, "query");
      s.exec("DECLARE freshguard_query NO SCROLL CURSOR FOR " + text + "\n", {}, d);
      const auto res =
          s.exec("FETCH FORWARD " + std::to_string(cap + 1) + " FROM freshguard_query", {}, d);
      s.exec("ROLLBACK", {}, d);
      QueryRows out;
      const PGresult* r = res.get();
      for (int col = 0; col < PQnfields(r); ++col)
        out.columns.emplace_back(PQfname(r, col));
      const int rows = std::min(PQntuples(r), cap);
      out.truncated = PQntuples(r) > cap;
      for (int row = 0; row < rows; ++row) {
        auto& values = out.rows.emplace_back();
        for (int col = 0; col < PQnfields(r); ++col) {
          const char* v = cell(r, row, col);
          values.push_back(v != nullptr ? std::optional<std::string>(v) : std::nullopt);
        }
      }
      return out;
    } catch (const Error& e) {
      // Leave the session clean for the pool; if even that fails, its error goes up instead.
      if (!e.connection_poisoned()) s.exec("ROLLBACK", {}, d);
      throw;
    }
  });
}

PostgresPoolStatus PostgresConnector::pool_status() const {
  return impl_->pool.status();
}

void PostgresConnector::prune_idle() {
  impl_->pool.prune_idle();
}

}  // namespace freshguard
