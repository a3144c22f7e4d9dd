#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <system_error>
#include <type_traits>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/security/cost_guard.hpp>
#include <freshguard/sql/query.hpp>

#include "connectors/postgres/pg_config.hpp"
#include "connectors/postgres/pg_pool.hpp"
#include "connectors/postgres/pg_queries.hpp"
#include "connectors/postgres/pg_session.hpp"
#include "connectors/postgres/pg_time.hpp"

namespace freshguard {
namespace {

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

// The PostgreSQL driver: libpq sessions from a pg::Pool, catalog reads from pg_catalog,
// values decoded by their type OID.
class PgDriver final : public connectors::Driver {
 public:
  explicit PgDriver(PostgresOptions o)
      : opts_(std::move(o)),
        clock_(opts_.clock != nullptr ? *opts_.clock : SystemClock::instance()),
        default_schema_(sql::Identifier::parse(opts_.schema.empty() ? "public" : opts_.schema,
                                               "default schema")),
        session_(pg::session_config(opts_, clock_)),
        pool_(session_, pg::pool_config(opts_)) {}

  const sql::Dialect& dialect() const noexcept override { return kPostgresDialect; }
  std::optional<sql::Identifier> default_schema() const override { return default_schema_; }

  void ping(bool first) override {
    with_session([&](pg::Session& s, const pg::Deadline& d) {
      s.exec("SELECT 1", {}, d);
      if (first) warn_about_privileges(opts_.source_name, s, d);
    });
  }

  std::vector<sql::QualifiedName> list_tables() override {
    return with_session([&](pg::Session& s, const pg::Deadline& d) {
      const auto res = s.exec(pg::kListTablesSql, {default_schema_.str()}, d);
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

  // One query: the exact spelling if it exists, else every case-insensitive match, with
  // their columns (rows ordered by table oid, then column number).
  std::vector<TableSchema> describe(const sql::QualifiedName& t) override {
    return with_session([&](pg::Session& s, const pg::Deadline& d) {
      const auto res = s.exec(pg::kTableSchemaSql, {t.schema->str(), t.name.str()}, d);
      const PGresult* r = res.get();
      std::vector<TableSchema> out;
      std::string oid;
      for (int row = 0; row < PQntuples(r); ++row) {
        if (out.empty() || oid != cell(r, row, 2)) {
          oid = cell(r, row, 2);
          out.push_back(
              TableSchema{sql::QualifiedName{sql::Identifier::parse(cell(r, row, 0), "schema name"),
                                             sql::Identifier::parse(cell(r, row, 1), "table name")},
                          {}});
        }
        if (cell(r, row, 3) == nullptr) continue;  // a relation without columns
        auto& columns = out.back().columns;
        ColumnInfo c;
        c.name = cell(r, row, 3);
        c.type = cell(r, row, 4);
        c.nullable = std::string_view(cell(r, row, 5)) != "t";
        c.primary_key = std::string_view(cell(r, row, 6)) == "t";
        c.position = static_cast<int>(columns.size()) + 1;
        columns.push_back(std::move(c));
      }
      return out;
    });
  }

  sql::Value run(const sql::AggregateQuery& q, const std::string& text) override {
    return with_session([&](pg::Session& s, const pg::Deadline& d) -> sql::Value {
      const auto res = s.exec(text, {}, d);
      const char* v = cell(res.get(), 0, 0);
      if (q.aggregate == sql::Aggregate::kCountAll) {
        return v == nullptr ? sql::Value{} : sql::Value{to_int64(v, "row count")};
      }
      const auto type = static_cast<unsigned>(PQftype(res.get(), 0));
      if (!pg::is_time_type(type)) return sql::OtherType{};  // the core names the declared type
      if (v == nullptr) return {};
      return pg::decode_time(type, v);
    });
  }

  // Plans `text` (EXPLAIN, never ANALYZE) and refuses it when the estimate is beyond the
  // cost limits. Full scans are sized from pg_class.relpages.
  void check_cost(const std::string& text, std::string_view what) override {
    with_session([&](pg::Session& s, const pg::Deadline& d) { guard_cost(s, d, text, what); });
  }

  bool can_read_query() const noexcept override { return true; }

  // The cost guard, then the query in a READ ONLY transaction through a cursor that fetches
  // at most max_result_rows.
  QueryRows read_query(std::string_view sql_text) override {
    // One statement, so a trailing `;` (and space) is the only text after it worth dropping;
    // the newline ends a trailing `--` comment before the cursor's text continues.
    std::string text(sql_text);
    while (!text.empty() &&
           (std::isspace(static_cast<unsigned char>(text.back())) != 0 || text.back() == ';')) {
      text.pop_back();
    }
    return with_session([&](pg::Session& s, const pg::Deadline& d) {
      const int cap = std::max(opts_.max_result_rows, 1);
      s.exec("BEGIN TRANSACTION READ ONLY", {}, d);
      try {
        // Unqualified names in the query mean the source's default schema, as in rules.
        s.exec("SET LOCAL search_path TO " + kPostgresDialect.quote(default_schema_), {}, d);
        guard_cost(s, d, text, "query");
        s.exec("DECLARE freshguard_query NO SCROLL CURSOR FOR " + text + "\n", {}, d);
        const auto res =
            s.exec("FETCH FORWARD " + std::to_string(cap + 1) + " FROM freshguard_query", {}, d);
        s.exec("ROLLBACK", {}, d);
        return rows_of(res.get(), cap);
      } catch (const Error& e) {
        // Leave the session clean for the pool; if even that fails, its error goes up.
        if (!e.connection_poisoned()) s.exec("ROLLBACK", {}, d);
        throw;
      }
    });
  }

  std::optional<connectors::PoolStatus> pool_status() const override { return pool_.status(); }
  void prune_idle() { pool_.prune_idle(); }

 private:
  // Runs `fn(session, deadline)` on a pooled connection under the call's deadline. A
  // connection that failed with a poisoning error is closed instead of returned.
  template <class Fn>
  std::invoke_result_t<Fn&, pg::Session&, const pg::Deadline&> with_session(Fn&& fn) {
    const auto deadline =
        pg::Deadline::after(clock_, pool::call_budget(opts_.timeout, opts_.source_name));
    return pool::with_lease(pool_, deadline, [&](pg::Session& s) { return fn(s, deadline); });
  }

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
    security::check_plan(estimate, opts_.cost_limits, what);
  }

  static QueryRows rows_of(const PGresult* r, int cap) {
    QueryRows out;
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
  }

  PostgresOptions opts_;
  const Clock& clock_;
  sql::Identifier default_schema_;
  pg::SessionConfig session_;
  mutable pg::Pool pool_;
};

}  // namespace

PostgresConnector::PostgresConnector(PostgresOptions options)
    : SqlConnector(std::make_unique<PgDriver>(options), connectors::core_options_of(options)) {}

PostgresConnector::~PostgresConnector() = default;

void PostgresConnector::prune_idle() {
  static_cast<PgDriver&>(driver()).prune_idle();
}

}  // namespace freshguard
