#include <algorithm>
#include <charconv>
#include <system_error>

#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>
#include <freshguard/sql/query.hpp>

#include "connectors/common/text.hpp"
#include "connectors/mysql/mysql_config.hpp"
#include "connectors/mysql/mysql_pool.hpp"
#include "connectors/mysql/mysql_queries.hpp"
#include "connectors/mysql/mysql_session.hpp"
#include "connectors/mysql/mysql_time.hpp"

namespace freshguard {
namespace {

using connectors::iequals;

using std::chrono::milliseconds;

constexpr sql::Dialect kMysqlDialect{sql::DialectKind::kMysql};

std::int64_t to_int64(const std::optional<std::string>& text, const std::string& what) {
  std::int64_t value = 0;
  const std::string_view view = text ? std::string_view(*text) : std::string_view();
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (view.empty() || ec != std::errc() || end != view.data() + view.size()) {
    throw MonitoringError("unexpected " + what + " from MySQL");
  }
  return value;
}

const std::string& text_of(const mysql::Rows::Row& row, std::size_t col) {
  static const std::string kEmpty;
  return row.at(col) ? *row[col] : kEmpty;
}

// MySQL refuses longer names; refusing them here says why before anything runs.
void check_length(const sql::Identifier& id, std::string_view what) {
  if (id.str().size() > kMysqlMaxIdentifierLength) {
    throw SecurityError("invalid " + std::string(what) + ": is " + std::to_string(id.str().size()) +
                        " characters long; the MySQL limit is " +
                        std::to_string(kMysqlMaxIdentifierLength));
  }
}

void check_lengths(const sql::QualifiedName& t) {
  if (t.schema) check_length(*t.schema, "table name (schema part)");
  check_length(t.name, "table name");
}

// Connector/C's global state, set up once before any connection is made (mysql_init would
// do it lazily, from whichever pool thread came first).
void init_library() {
  static const int kInit = mysql_library_init(0, nullptr, nullptr);
  if (kInit != 0) throw ConnectionError("the MySQL client library could not be initialised", false);
}

// A table as the catalog spells it, with its kFindTableSql row when that query found it.
struct Resolved {
  sql::QualifiedName table;
  std::optional<mysql::Rows::Row> info;
};

}  // namespace

struct MysqlConnector::Impl {
  MysqlOptions opts;
  const Clock& clock;
  std::string default_schema;
  mysql::SessionConfig session;
  mysql::Pool pool;
  std::shared_ptr<security::SchemaCache> cache;
  security::QueryGuard guard;

  explicit Impl(MysqlOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? *opts.clock : SystemClock::instance()),
        default_schema(opts.schema.empty() ? opts.database : opts.schema),
        session(mysql::session_config(opts, clock)),
        pool(session, mysql::pool_config(opts)),
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
    const auto deadline = mysql::Deadline::after(clock, budget);
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

  [[noreturn]] void ambiguous(std::string_view what, std::string_view name) const {
    throw QueryError(std::string(what) + " \"" + std::string(name) + "\" matches several in " +
                     where() + " that differ only by case; write it exactly as defined");
  }

  // The row (columns 0: schema, 1: table) naming `schema`.`name`: the exact spelling
  // first, else the only case-insensitive match; nullopt when none matches.
  std::optional<std::size_t> pick_table(const mysql::Rows& rows, const std::string& schema,
                                        const std::string& name) const {
    std::optional<std::size_t> folded;
    for (std::size_t i = 0; i < rows.rows.size(); ++i) {
      const auto& s = text_of(rows.rows[i], 0);
      const auto& n = text_of(rows.rows[i], 1);
      if (s == schema && n == name) return i;
      if (!iequals(s, schema) || !iequals(n, name)) continue;
      if (folded) ambiguous("table name", schema + "." + name);
      folded = i;
    }
    return folded;
  }

  sql::QualifiedName catalog_name(const mysql::Rows::Row& row) const {
    return sql::QualifiedName{schema_id(text_of(row, 0)),
                              sql::Identifier::parse(text_of(row, 1), "table name")};
  }

  // A schema name as queries name it. The connection's own database may have a name MySQL
  // allows only quoted (`rt-db`); tables in it need no qualifier, since the session's current
  // database is that one, so it becomes no schema. Any other schema must be an identifier.
  std::optional<sql::Identifier> schema_id(const std::string& schema) const {
    auto id = sql::Identifier::try_parse(schema);
    if (!id && schema == opts.database) return std::nullopt;
    if (!id) return sql::Identifier::parse(schema, "schema name");  // throws, naming why
    return id;
  }

  Resolved resolve(mysql::Session& s, const mysql::Deadline& d, const sql::QualifiedName& t) {
    check_lengths(t);
    const std::string schema = schema_of(t);
    const auto exact = s.query(mysql::kFindTableSql, {schema, t.name.str()}, d);
    if (const auto row = pick_table(exact, schema, t.name.str())) {
      return Resolved{catalog_name(exact.rows[*row]), exact.rows[*row]};
    }
    const auto folded = s.query(mysql::kFindTableFoldedSql, {schema, t.name.str()}, d);
    if (const auto row = pick_table(folded, schema, t.name.str())) {
      return Resolved{catalog_name(folded.rows[*row]), std::nullopt};
    }
    throw QueryError("table \"" + schema + "." + t.name.str() + "\" not found in " + where());
  }

  // The kFindTableSql row of an already resolved table.
  mysql::Rows::Row table_info(mysql::Session& s, const mysql::Deadline& d, Resolved& r) {
    if (r.info) return *r.info;
    const std::string schema = schema_of(r.table);
    const auto rows = s.query(mysql::kFindTableSql, {schema, r.table.name.str()}, d);
    for (const auto& row : rows.rows) {
      if (text_of(row, 0) == schema && text_of(row, 1) == r.table.name.str()) return row;
    }
    throw QueryError("table \"" + r.table.display() + "\" not found in " + where());
  }

  std::vector<ColumnInfo> columns(mysql::Session& s, const mysql::Deadline& d,
                                  const sql::QualifiedName& table) {
    const auto rows = s.query(mysql::kColumnsSql, {schema_of(table), table.name.str()}, d);
    std::vector<ColumnInfo> out;
    for (const auto& row : rows.rows) {
      if (text_of(row, 0) != table.name.str()) continue;  // a twin differing only by case
      ColumnInfo c;
      c.name = text_of(row, 1);
      c.type = text_of(row, 2);
      c.nullable = text_of(row, 3) == "YES";
      c.primary_key = text_of(row, 4) == "PRI";
      c.position = static_cast<int>(to_int64(row.at(5), "column position"));
      out.push_back(std::move(c));
    }
    return out;
  }

  // The table as asked for, with the default schema filled in: the schema cache's key.
  sql::QualifiedName requested(const sql::QualifiedName& t) const {
    if (t.schema) return t;
    return sql::QualifiedName{sql::Identifier::try_parse(default_schema), t.name};
  }

  TableSchema load_schema(mysql::Session& s, const mysql::Deadline& d,
                          const sql::QualifiedName& t) {
    const Resolved r = resolve(s, d, t);
    return TableSchema{r.table, columns(s, d, r.table)};
  }

  std::shared_ptr<const TableSchema> cached(mysql::Session& s, const mysql::Deadline& d,
                                            const sql::QualifiedName& t) {
    check_lengths(t);
    return cache->get(opts.source_name, requested(t), [&] { return load_schema(s, d, t); });
  }

  // The catalog spelling of `column` in `t` (MySQL column names are case-insensitive). A
  // column missing from a cached schema reloads it once (it may have been added since).
  sql::Identifier resolve_column(mysql::Session& s, const mysql::Deadline& d,
                                 const sql::QualifiedName& t, const sql::Identifier& column,
                                 std::shared_ptr<const TableSchema>& schema) {
    check_length(column, "column name");
    schema = cached(s, d, t);
    if (schema->find_column(column.str()) == nullptr) {
      cache->invalidate(opts.source_name, requested(t));
      schema = cached(s, d, t);
    }
    const ColumnInfo& c = security::find_column_or_throw(*schema, column.str(), where());
    return sql::Identifier::parse(c.name, "column name");
  }

  // Runs a generated data query on `t`: analysed first, then sent. A non-transient query
  // error (an undefined table or column: the schema changed) drops the cached schema.
  mysql::Rows run_data(mysql::Session& s, const mysql::Deadline& d, const sql::QualifiedName& t,
                       const sql::AggregateQuery& q) {
    const std::string text = guard.checked_sql(q, kMysqlDialect);
    try {
      return s.query(text, {}, d);
    } catch (const QueryError& e) {
      if (!e.transient()) cache->invalidate(opts.source_name, requested(t));
      throw;
    }
  }

  std::optional<WallTime> extreme(const sql::QualifiedName& table, const sql::Identifier& column,
                                  const TimeZone& zone, sql::Aggregate fn,
                                  std::string_view filter) {
    return with_session([&](mysql::Session& s, const mysql::Deadline& d) {
      std::shared_ptr<const TableSchema> schema;
      const auto col = resolve_column(s, d, table, column, schema);
      const auto rows = run_data(
          s, d, table,
          sql::AggregateQuery{fn, col, schema->table, security::prepare_filter(filter, *schema)});
      const sql::QualifiedName& rtable = schema->table;
      const std::string what = "column \"" + col.str() + "\" of " + rtable.display();
      const auto kind = mysql::time_kind(rows.columns.at(0).type, rows.columns.at(0).charset);
      if (kind == mysql::TimeKind::kOther) {
        throw MonitoringError(what +
                              " is not a DATETIME, TIMESTAMP, DATE, integer or text column; "
                              "freshness needs one of those");
      }
      const auto& value = rows.rows.at(0).at(0);
      if (!value) return std::optional<WallTime>();
      auto t = mysql::text_to_time(kind, *value, zone);
      if (!t) throw MonitoringError(what + " holds a value that is not a valid timestamp");
      return t;
    });
  }
};

MysqlConnector::MysqlConnector(MysqlOptions options) {
  init_library();
  impl_ = std::make_unique<Impl>(std::move(options));
}

MysqlConnector::~MysqlConnector() = default;

const std::string& MysqlConnector::source_name() const noexcept {
  return impl_->opts.source_name;
}

const sql::Dialect& MysqlConnector::dialect() const noexcept {
  return kMysqlDialect;
}

void MysqlConnector::test_connection() {
  impl_->with_session(
      [](mysql::Session& s, const mysql::Deadline& d) { s.query("SELECT 1", {}, d); });
}

std::vector<sql::QualifiedName> MysqlConnector::list_tables() {
  return impl_->with_session([&](mysql::Session& s, const mysql::Deadline& d) {
    const auto rows = s.query(mysql::kListTablesSql, {impl_->default_schema}, d);
    std::vector<sql::QualifiedName> out;
    for (const auto& row : rows.rows) {
      // Tables whose names are not plain identifiers cannot be monitored; skip them. Tables of
      // the connection's own database are listed unqualified when its name needs quoting.
      const std::string& schema_text = text_of(row, 0);
      auto schema = sql::Identifier::try_parse(schema_text);
      auto name = sql::Identifier::try_parse(text_of(row, 1));
      if (name && (schema || schema_text == impl_->opts.database)) {
        out.push_back(sql::QualifiedName{std::move(schema), std::move(*name)});
      }
    }
    return out;
  });
}

TableSchema MysqlConnector::table_schema(const sql::QualifiedName& table) {
  auto schema = impl_->with_session(
      [&](mysql::Session& s, const mysql::Deadline& d) { return impl_->load_schema(s, d, table); });
  impl_->cache->put(impl_->opts.source_name, impl_->requested(table), schema);
  return schema;
}

std::shared_ptr<const TableSchema> MysqlConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->with_session(
      [&](mysql::Session& s, const mysql::Deadline& d) { return impl_->cached(s, d, table); });
}

std::int64_t MysqlConnector::row_count(const sql::QualifiedName& table) {
  return filtered_row_count(table, {});
}

std::int64_t MysqlConnector::filtered_row_count(const sql::QualifiedName& table,
                                                std::string_view filter) {
  return impl_->with_session([&](mysql::Session& s, const mysql::Deadline& d) {
    const auto schema = impl_->cached(s, d, table);
    const auto rows =
        impl_->run_data(s, d, table,
                        sql::AggregateQuery{sql::Aggregate::kCountAll,
                                            {},
                                            schema->table,
                                            security::prepare_filter(filter, *schema)});
    return to_int64(rows.rows.at(0).at(0), "row count");
  });
}

std::optional<WallTime> MysqlConnector::filtered_max_timestamp(const sql::QualifiedName& table,
                                                               const sql::Identifier& column,
                                                               const TimeZone& zone,
                                                               std::string_view filter) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMax, filter);
}

std::optional<WallTime> MysqlConnector::max_timestamp(const sql::QualifiedName& table,
                                                      const sql::Identifier& column,
                                                      const TimeZone& zone) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMax, {});
}

std::optional<WallTime> MysqlConnector::min_timestamp(const sql::QualifiedName& table,
                                                      const sql::Identifier& column,
                                                      const TimeZone& zone) {
  return impl_->extreme(table, column, zone, sql::Aggregate::kMin, {});
}

std::optional<std::int64_t> MysqlConnector::estimated_row_count(const sql::QualifiedName& table) {
  return impl_->with_session(
      [&](mysql::Session& s, const mysql::Deadline& d) -> std::optional<std::int64_t> {
        Resolved r = impl_->resolve(s, d, table);
        const auto info = impl_->table_info(s, d, r);
        if (text_of(info, 2) == "VIEW" || !info.at(3)) return std::nullopt;
        return to_int64(info[3], "row estimate");
      });
}

std::optional<WallTime> MysqlConnector::catalog_update_time(const sql::QualifiedName& table) {
  return impl_->with_session(
      [&](mysql::Session& s, const mysql::Deadline& d) -> std::optional<WallTime> {
        Resolved r = impl_->resolve(s, d, table);
        const auto info = impl_->table_info(s, d, r);
        if (!info.at(4)) return std::nullopt;
        const auto t = mysql::text_to_time(mysql::TimeKind::kAbsolute, *info[4], TimeZone::utc());
        if (!t) throw MonitoringError("unexpected update time from MySQL");
        return t;
      });
}

MysqlPoolStatus MysqlConnector::pool_status() const {
  return impl_->pool.status();
}

void MysqlConnector::prune_idle() {
  impl_->pool.prune_idle();
}

}  // namespace freshguard
