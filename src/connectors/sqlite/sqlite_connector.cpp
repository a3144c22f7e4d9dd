#include <cmath>
#include <string_view>
#include <type_traits>
#include <vector>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>

#include "connectors/sqlite/sqlite_handles.hpp"
#include "connectors/sqlite/sqlite_pool.hpp"
#include "connectors/sqlite/sqlite_session.hpp"

namespace freshguard {
namespace {

using sqlite::Binds;
using sqlite::RowFn;

constexpr sql::Dialect kSqliteDialect{sql::DialectKind::kSqlite};

std::string text_at(sqlite3_stmt* s, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return text != nullptr ? std::string(text) : std::string();
}

pool::PoolConfig pool_config(const SqliteOptions& o) {
  pool::PoolConfig c;
  c.max_connections = o.max_connections;
  c.connect_timeout = o.timeout;  // waiting for a free connection: the call's timeout
  return c;
}

// The SQLite driver: read-only handles from the shared pool, the catalog from
// sqlite_schema and pragma_table_info, values decoded by their storage class.
class SqliteDriver final : public connectors::Driver {
 public:
  explicit SqliteDriver(SqliteOptions o)
      : clock_(o.clock != nullptr ? *o.clock : SystemClock::instance()),
        config_{o.source_name, &clock_, std::move(o)},
        pool_(config_, pool_config(config_.options)) {}

  const sql::Dialect& dialect() const noexcept override { return kSqliteDialect; }
  std::optional<sql::Identifier> default_schema() const override {
    return sql::Identifier::parse("main");
  }

  void ping(bool) override {
    exec("SELECT 1", {}, [](sqlite3_stmt*) {});
  }

  std::vector<sql::QualifiedName> list_tables() override {
    std::vector<sql::QualifiedName> out;
    exec(
        "SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        {}, [&](sqlite3_stmt* s) {
          // Tables whose names are not plain identifiers cannot be monitored; skip them.
          if (auto id = sql::Identifier::try_parse(text_at(s, 0))) {
            out.push_back(sql::QualifiedName{sql::Identifier::parse("main"), *id});
          }
        });
    return out;
  }

  std::vector<TableSchema> describe(const sql::QualifiedName& t) override {
    const sql::Identifier& schema = *t.schema;
    bool schema_found = false;
    exec("SELECT 1 FROM pragma_database_list WHERE name = ?1", {schema.str()},
         [&](sqlite3_stmt*) { schema_found = true; });
    if (!schema_found) {
      throw QueryError("schema \"" + schema.str() + "\" not found in " + where());
    }
    std::vector<TableSchema> out;
    exec("SELECT name FROM " + kSqliteDialect.quote(schema) +
             ".sqlite_schema WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE",
         {t.name.str()}, [&](sqlite3_stmt* s) {
           if (auto name = sql::Identifier::try_parse(text_at(s, 0))) {
             out.push_back(TableSchema{sql::QualifiedName{schema, *name}, {}});
           }
         });
    for (auto& table : out)
      table.columns = columns(table.table);
    return out;
  }

  sql::Value run(const sql::AggregateQuery&, const std::string& text) override {
    sql::Value out;
    exec(text, {}, [&](sqlite3_stmt* s) {
      out = sqlite_decode(sqlite3_column_type(s, 0), sqlite3_column_int64(s, 0),
                          sqlite3_column_double(s, 0), text_at(s, 0));
    });
    return out;
  }

  std::optional<connectors::PoolStatus> pool_status() const override { return pool_.status(); }

 private:
  std::string where() const { return "source \"" + config_.source + "\""; }

  std::vector<ColumnInfo> columns(const sql::QualifiedName& t) {
    std::vector<ColumnInfo> out;
    exec("SELECT name, type, \"notnull\", pk, cid FROM pragma_table_info(?1, ?2)",
         {t.name.str(), t.schema->str()}, [&](sqlite3_stmt* s) {
           ColumnInfo c;
           c.name = text_at(s, 0);
           c.type = text_at(s, 1);
           c.nullable = sqlite3_column_int(s, 2) == 0;
           c.primary_key = sqlite3_column_int(s, 3) > 0;
           c.position = sqlite3_column_int(s, 4) + 1;
           out.push_back(std::move(c));
         });
    return out;
  }

  // Runs one statement with bound text parameters on a pooled connection, calling `on_row`
  // for every row, under the call's timeout (capped by the resilience layer's deadline). A
  // connection that failed with a poisoning error is closed instead of returned.
  void exec(const std::string& sql, const Binds& binds, const RowFn& on_row) {
    const auto budget = pool::call_budget(config_.options.timeout, config_.source);
    pool::with_lease(
        pool_, sqlite::Deadline{clock_.steady_now() + budget, budget}, [&](sqlite::Session& s) {
          sqlite::execute(s.get(), config_.options, clock_, budget, sql, binds, on_row);
        });
  }

  const Clock& clock_;
  sqlite::SessionConfig config_;
  mutable sqlite::Pool pool_;
};

}  // namespace

std::unique_ptr<connectors::Driver> make_sqlite_driver(SqliteOptions options) {
  return std::make_unique<SqliteDriver>(std::move(options));
}

sql::Value sqlite_decode(int sqlite_type, std::int64_t int_value, double real_value,
                         std::string_view text) {
  using std::chrono::microseconds;
  switch (sqlite_type) {
    case SQLITE_NULL:
      return {};
    case SQLITE_INTEGER:
      return int_value;
    case SQLITE_FLOAT: {
      // Julian day number: day 2440587.5 is the Unix epoch.
      if (!std::isfinite(real_value) || real_value < 0 || real_value > 5373484.0) {
        return sql::NotFinite{};
      }
      const double us = (real_value - 2440587.5) * 86400.0 * 1e6;
      return WallTime(microseconds(static_cast<std::int64_t>(std::llround(us))));
    }
    case SQLITE_TEXT:
      return std::string(text);
    default:
      return sql::OtherType{"BLOB"};
  }
}

std::optional<WallTime> sqlite_value_to_time(int sqlite_type, std::int64_t int_value,
                                             double real_value, std::string_view text,
                                             const TimeZone& zone) {
  try {
    return sql::read_time(sqlite_decode(sqlite_type, int_value, real_value, text), zone, "value");
  } catch (const MonitoringError&) {
    return std::nullopt;
  }
}

SqliteConnector::SqliteConnector(SqliteOptions options)
    : SqlConnector(std::make_unique<SqliteDriver>(options), connectors::core_options_of(options)) {}

SqliteConnector::~SqliteConnector() = default;

int SqliteConnector::open_connections() const {
  return SqlConnector::pool_status()->total;
}

}  // namespace freshguard
