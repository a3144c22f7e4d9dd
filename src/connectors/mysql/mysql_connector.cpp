#include <algorithm>
#include <charconv>
#include <system_error>
#include <type_traits>

#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/core/error.hpp>
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

// Connector/C's global state, set up once before any connection is made (mysql_init would
// do it lazily, from whichever pool thread came first).
void init_library() {
  static const int kInit = mysql_library_init(0, nullptr, nullptr);
  if (kInit != 0) throw ConnectionError("the MySQL client library could not be initialised", false);
}

// The MySQL / MariaDB driver: Connector/C sessions from a mysql::Pool, the catalog from
// information_schema, values decoded by their field type.
class MysqlDriver final : public connectors::Driver {
 public:
  explicit MysqlDriver(MysqlOptions o)
      : opts_(std::move(o)),
        clock_(opts_.clock != nullptr ? *opts_.clock : SystemClock::instance()),
        default_schema_(opts_.schema.empty() ? opts_.database : opts_.schema),
        session_(mysql::session_config(opts_, clock_)),
        pool_(session_, mysql::pool_config(opts_)) {}

  const sql::Dialect& dialect() const noexcept override { return kMysqlDialect; }
  std::optional<sql::Identifier> default_schema() const override {
    return sql::Identifier::try_parse(default_schema_);
  }

  void ping(bool) override {
    with_session([](mysql::Session& s, const mysql::Deadline& d) { s.query("SELECT 1", {}, d); });
  }

  std::vector<sql::QualifiedName> list_tables() override {
    return with_session([&](mysql::Session& s, const mysql::Deadline& d) {
      const auto rows = s.query(mysql::kListTablesSql, {default_schema_}, d);
      std::vector<sql::QualifiedName> out;
      for (const auto& row : rows.rows) {
        // Tables whose names are not plain identifiers cannot be monitored; skip them. Tables
        // of the connection's own database are listed unqualified when its name needs quoting.
        const std::string& schema_text = text_of(row, 0);
        auto schema = sql::Identifier::try_parse(schema_text);
        auto name = sql::Identifier::try_parse(text_of(row, 1));
        if (name && (schema || schema_text == opts_.database)) {
          out.push_back(sql::QualifiedName{std::move(schema), std::move(*name)});
        }
      }
      return out;
    });
  }

  // The exact spelling when the server's lookup finds it (only that table is opened), else
  // every case-insensitive match (a scan of the names, no table opened).
  std::vector<TableSchema> describe(const sql::QualifiedName& t) override {
    return with_session([&](mysql::Session& s, const mysql::Deadline& d) {
      const std::string schema = schema_of(t);
      std::vector<TableSchema> out;
      const auto exact = s.query(mysql::kFindTableSql, {schema, t.name.str()}, d);
      for (const auto& row : exact.rows) {
        if (text_of(row, 0) == schema && text_of(row, 1) == t.name.str()) {
          out.push_back(TableSchema{name_of(row), {}});
        }
      }
      if (out.empty()) {
        const auto folded = s.query(mysql::kFindTableFoldedSql, {schema, t.name.str()}, d);
        for (const auto& row : folded.rows) {
          if (iequals(text_of(row, 0), schema) && iequals(text_of(row, 1), t.name.str())) {
            out.push_back(TableSchema{name_of(row), {}});
          }
        }
      }
      for (auto& table : out)
        table.columns = columns(s, d, table.table);
      return out;
    });
  }

  sql::Value run(const sql::AggregateQuery& q, const std::string& text) override {
    return with_session([&](mysql::Session& s, const mysql::Deadline& d) -> sql::Value {
      const auto rows = s.query(text, {}, d);
      const auto& value = rows.rows.at(0).at(0);
      if (q.aggregate == sql::Aggregate::kCountAll) {
        return value ? sql::Value{to_int64(value, "row count")} : sql::Value{};
      }
      const auto kind = mysql::time_kind(rows.columns.at(0).type, rows.columns.at(0).charset);
      if (kind == mysql::TimeKind::kOther) return sql::OtherType{};
      if (!value) return {};
      return mysql::decode(kind, *value);
    });
  }

  std::optional<connectors::PoolStatus> pool_status() const override { return pool_.status(); }
  void prune_idle() { pool_.prune_idle(); }

 private:
  std::string schema_of(const sql::QualifiedName& t) const {
    return t.schema ? t.schema->str() : default_schema_;
  }

  // A schema name as queries name it. The connection's own database may have a name MySQL
  // allows only quoted (`rt-db`); tables in it need no qualifier, since the session's current
  // database is that one, so it becomes no schema. Any other schema must be an identifier.
  std::optional<sql::Identifier> schema_id(const std::string& schema) const {
    auto id = sql::Identifier::try_parse(schema);
    if (!id && schema == opts_.database) return std::nullopt;
    if (!id) return sql::Identifier::parse(schema, "schema name");  // throws, naming why
    return id;
  }

  sql::QualifiedName name_of(const mysql::Rows::Row& row) const {
    return sql::QualifiedName{schema_id(text_of(row, 0)),
                              sql::Identifier::parse(text_of(row, 1), "table name")};
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

  // Runs `fn(session, deadline)` on a pooled connection under the call's deadline. A
  // connection that failed with a poisoning error is closed instead of returned.
  template <class Fn>
  std::invoke_result_t<Fn&, mysql::Session&, const mysql::Deadline&> with_session(Fn&& fn) {
    const auto deadline =
        mysql::Deadline::after(clock_, pool::call_budget(opts_.timeout, opts_.source_name));
    return pool::with_lease(pool_, deadline, [&](mysql::Session& s) { return fn(s, deadline); });
  }

  MysqlOptions opts_;
  const Clock& clock_;
  std::string default_schema_;
  mysql::SessionConfig session_;
  mutable mysql::Pool pool_;
};

std::unique_ptr<MysqlDriver> make_driver(const MysqlOptions& o) {
  init_library();
  return std::make_unique<MysqlDriver>(o);
}

}  // namespace

MysqlConnector::MysqlConnector(MysqlOptions options)
    : SqlConnector(make_driver(options), connectors::core_options_of(options)) {}

MysqlConnector::~MysqlConnector() = default;

void MysqlConnector::prune_idle() {
  static_cast<MysqlDriver&>(driver()).prune_idle();
}

}  // namespace freshguard
