#include <charconv>
#include <system_error>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>

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

// A table (and column) as the catalog spells them.
struct Resolved {
  sql::QualifiedName table;
  std::int64_t oid = 0;
  std::optional<sql::Identifier> column;
};

}  // namespace

struct PostgresConnector::Impl {
  PostgresOptions opts;
  const Clock& clock;
  std::string default_schema;
  pg::SessionConfig session;
  pg::Pool pool;

  explicit Impl(PostgresOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? *opts.clock : SystemClock::instance()),
        default_schema(opts.schema.empty() ? "public" : opts.schema),
        session(pg::session_config(opts, clock)),
        pool(session, pg::pool_config(opts)) {}

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

  std::string quote(pg::Session& s, const sql::QualifiedName& t) const {
    return s.escape_identifier(t.schema->str()) + "." + s.escape_identifier(t.name.str());
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

  Resolved resolve(pg::Session& s, const pg::Deadline& d, const sql::QualifiedName& t,
                   const sql::Identifier* column) {
    const auto res = s.exec(
        pg::kResolveSql, {schema_of(t), t.name.str(), column != nullptr ? column->str() : ""}, d);
    const int row = pick_table(res.get(), t);
    Resolved r{catalog_name(res.get(), row), to_int64(cell(res.get(), row, 2), "table id"), {}};
    if (column == nullptr) return r;
    std::vector<std::string> names;  // case-insensitive matches; the exact one alone
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      const char* name = cell(res.get(), i, 3);
      if (name == nullptr || to_int64(cell(res.get(), i, 2), "table id") != r.oid) continue;
      if (column->str() == name) {
        names = {name};
        break;
      }
      names.emplace_back(name);
    }
    if (names.empty()) {
      throw QueryError("column \"" + column->str() + "\" not found in " + r.table.display() +
                       " of " + where());
    }
    if (names.size() > 1) ambiguous("column name", column->str());
    r.column = sql::Identifier::parse(names.front(), "column name");
    return r;
  }

  std::optional<WallTime> extreme(const sql::QualifiedName& table, const sql::Identifier& column,
                                  const TimeZone& zone, const char* fn) {
    return with_session([&](pg::Session& s, const pg::Deadline& d) -> std::optional<WallTime> {
      const Resolved r = resolve(s, d, table, &column);
      const auto res =
          s.exec(std::string("SELECT ") + fn + "(" + s.escape_identifier(r.column->str()) +
                     ") FROM " + quote(s, r.table),
                 {}, d);
      const auto type = static_cast<unsigned>(PQftype(res.get(), 0));
      const std::string what = "column \"" + r.column->str() + "\" of " + r.table.display();
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
  impl_->with_session([](pg::Session& s, const pg::Deadline& d) { s.exec("SELECT 1", {}, d); });
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
  return impl_->with_session([&](pg::Session& s, const pg::Deadline& d) {
    const auto res = s.exec(pg::kTableSchemaSql, {impl_->schema_of(table), table.name.str()}, d);
    const PGresult* r = res.get();
    const int chosen = impl_->pick_table(r, table);
    const char* oid = cell(r, chosen, 2);
    TableSchema schema{impl_->catalog_name(r, chosen), {}};
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
  });
}

std::int64_t PostgresConnector::row_count(const sql::QualifiedName& table) {
  return impl_->with_session([&](pg::Session& s, const pg::Deadline& d) {
    const Resolved r = impl_->resolve(s, d, table, nullptr);
    const auto res = s.exec("SELECT count(*) FROM " + impl_->quote(s, r.table), {}, d);
    return to_int64(cell(res.get(), 0, 0), "row count");
  });
}

std::optional<WallTime> PostgresConnector::max_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme(table, column, zone, "max");
}

std::optional<WallTime> PostgresConnector::min_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme(table, column, zone, "min");
}

std::optional<std::int64_t> PostgresConnector::estimated_row_count(
    const sql::QualifiedName& table) {
  return impl_->with_session(
      [&](pg::Session& s, const pg::Deadline& d) -> std::optional<std::int64_t> {
        const Resolved r = impl_->resolve(s, d, table, nullptr);
        const auto res = s.exec(pg::kEstimateSql, {std::to_string(r.oid)}, d);
        const char* estimate = cell(res.get(), 0, 0);
        if (estimate == nullptr) return std::nullopt;
        return to_int64(estimate, "row estimate");
      });
}

PostgresPoolStatus PostgresConnector::pool_status() const {
  return impl_->pool.status();
}

void PostgresConnector::prune_idle() {
  impl_->pool.prune_idle();
}

}  // namespace freshguard
