// The MySQL connector against the real MariaDB server: bound values, catalog resolution,
// column types, catalog methods, identifier limits and error classification.

#include <algorithm>

#include <gtest/gtest.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "connectors/mysql/mysql_config.hpp"
#include "connectors/mysql/mysql_session.hpp"
#include "support/aggregate.hpp"
#include "support/mysql_test_server.hpp"

namespace freshguard {
namespace {

using sql::Identifier;
using sql::QualifiedName;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::MysqlTest;

WallTime at(const char* iso) {
  return *parse_timestamp(iso, TimeZone::utc());
}

class MysqlConnectorTest : public MysqlTest {
 protected:
  std::optional<WallTime> newest(const std::string& table, const std::string& column,
                                 const TimeZone& zone = TimeZone::utc()) {
    MysqlConnector my(options());
    return my.max_timestamp(QualifiedName::parse(table), Identifier::parse(column), zone);
  }

  // A raw session of the connector's own kind, for statements the connector never issues.
  std::unique_ptr<mysql::Session> session() {
    config_ = mysql::session_config(options(), SystemClock::instance());
    return mysql::Session::open(config_, deadline());
  }
  static mysql::Deadline deadline() {
    return mysql::Deadline::after(SystemClock::instance(), milliseconds(5000));
  }

  mysql::SessionConfig config_;
};

TEST_F(MysqlConnectorTest, ValuesTravelAsBoundParameters) {
  MysqlConnector my(options());
  EXPECT_EQ(my.source_name(), "mytest");
  EXPECT_EQ(my.dialect().kind(), sql::DialectKind::kMysql);
  auto s = session();
  for (const std::string& hostile :
       {std::string("x' OR '1'='1"), std::string("a\\' -- "), std::string("\"; DROP TABLE t; --"),
        std::string("nul\0byte", 8), std::string(300, 'q')}) {
    const auto rows = s->query("SELECT ?, LENGTH(?)", {hostile, hostile}, deadline());
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0][0], hostile);  // 300 bytes: longer than the first fetch buffer
    EXPECT_EQ(rows.rows[0][1], std::to_string(hostile.size()));
    // As a catalog value it matches nothing, and injects nothing.
    EXPECT_TRUE(s->query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                         "TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                         {db_, hostile}, deadline())
                    .rows.empty());
  }
  EXPECT_FALSE(s->query("SELECT NULL", {}, deadline()).rows[0][0].has_value());
  EXPECT_THROW(s->query("SELECT ?", {}, deadline()), QueryError);  // count mismatch: refused
  EXPECT_TRUE(s->usable());
}

TEST_F(MysqlConnectorTest, SessionsRunInUtcReadOnlyWithAStatementLimit) {
  auto s = session();
  EXPECT_EQ(s->flavour(), mysql::Flavour::kMariadb);
  const auto row = s->query(
                        "SELECT @@session.time_zone, @@session.max_statement_time, "
                        "@@session.tx_read_only, @@global.time_zone",
                        {}, deadline())
                       .rows.at(0);
  EXPECT_EQ(row[0], "+00:00");
  EXPECT_EQ(row[1], "10.000000");
  EXPECT_EQ(row[2], "1");
  EXPECT_EQ(row[3], "+05:00");  // the server's own zone differs: the session setting matters
  // A backslash in a string literal is a plain character in our sessions, whatever the
  // server's default sql_mode: `'a\'` cannot run on past where the renderer ended it.
  EXPECT_NE(s->query("SELECT @@session.sql_mode", {}, deadline())
                .rows.at(0)
                .at(0)
                ->find("NO_BACKSLASH_ESCAPES"),
            std::string::npos);
  EXPECT_EQ(s->query("SELECT LENGTH('a\\')", {}, deadline()).rows.at(0).at(0), "2");
  user_->exec("CREATE TABLE w (id INT)");
  try {
    s->query("INSERT INTO w VALUES (1)", {}, deadline());
    FAIL() << "a read-only session wrote";
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("error 1792"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(s->usable());
}

// A database whose name MySQL accepts only quoted (`rt-db`) can be monitored: its tables need
// no schema qualifier in the session that uses it as its database.
TEST_F(MysqlConnectorTest, ADatabaseNameThatNeedsQuotingCanBeMonitored) {
  const std::string db = "fgt_rt-db-" + std::to_string(getpid());  // the test user owns fgt_*
  user_->exec("DROP DATABASE IF EXISTS `" + db + "`; CREATE DATABASE `" + db + "`");
  user_->exec("CREATE TABLE `" + db + "`.loads (id INT, loaded_at DATETIME); INSERT INTO `" + db +
              "`.loads VALUES (1, '2026-11-27 12:00:00'), (2, NULL)");
  auto o = options();
  o.database = db;
  o.schema.clear();
  MysqlConnector my(o);
  const auto t = QualifiedName::parse("loads");
  EXPECT_EQ(my.row_count(t), 2);
  EXPECT_EQ(my.row_count(t, "loaded_at IS NULL"), 1);
  EXPECT_EQ(my.max_timestamp(t, Identifier::parse("loaded_at"), TimeZone::utc()),
            at("2026-11-27T12:00:00Z"));
  const auto tables = my.list_tables();
  EXPECT_NE(std::find(tables.begin(), tables.end(), t), tables.end());
  user_->exec("DROP DATABASE `" + db + "`");
}

TEST_F(MysqlConnectorTest, TimestampColumnTypes) {
  user_->exec(R"sql(
    CREATE TABLE t (dt DATETIME(6), ts TIMESTAMP(3) NULL, d DATE, e INT, ems BIGINT,
                    iso VARCHAR(40), txt TEXT, bad_d DOUBLE, bin VARBINARY(30),
                    zero DATETIME);
    SET time_zone = '+00:00';
    INSERT INTO t VALUES ('2026-11-27 12:00:00.250000', '2026-11-27 12:00:00.500', '2026-11-27',
                          1795788000, 1795788000123, '2026-11-27T15:00:00+02:00',
                          '2026-11-27 12:00:00', 1.5, '2026-11-27', NULL);
    SET SESSION sql_mode = '';
    INSERT INTO t (zero) VALUES ('0000-00-00 00:00:00');
  )sql");
  const auto tokyo = TimeZone::named("+09:00");
  EXPECT_EQ(newest("t", "dt"), at("2026-11-27T12:00:00.25Z"));
  EXPECT_EQ(newest("t", "dt", tokyo), at("2026-11-27T03:00:00.25Z"));
  EXPECT_EQ(newest("t", "ts", tokyo), at("2026-11-27T12:00:00.5Z"));  // absolute
  EXPECT_EQ(newest("t", "d", tokyo), at("2026-11-26T15:00:00Z"));
  EXPECT_EQ(newest("t", "e"), WallTime(seconds(1795788000)));
  EXPECT_EQ(newest("t", "ems"), WallTime(milliseconds(1795788000123)));
  EXPECT_EQ(newest("t", "iso"), at("2026-11-27T13:00:00Z"));
  EXPECT_EQ(newest("t", "txt", tokyo), at("2026-11-27T03:00:00Z"));
  MysqlConnector my(options());
  const auto t = QualifiedName::parse("t");
  EXPECT_EQ(testing::min_timestamp(my, t, Identifier::parse("DT"), TimeZone::utc()),
            at("2026-11-27T12:00:00.25Z"));
  for (const char* col : {"bad_d", "bin"}) {
    try {
      my.max_timestamp(t, Identifier::parse(col), TimeZone::utc());
      FAIL() << col;
    } catch (const MonitoringError& e) {
      EXPECT_NE(std::string(e.what()).find("which does not hold timestamps"), std::string::npos)
          << e.what();
    }
  }
  try {
    my.max_timestamp(t, Identifier::parse("zero"), TimeZone::utc());
    FAIL() << "the zero date was read";
  } catch (const MonitoringError& e) {
    EXPECT_NE(std::string(e.what()).find("not a finite timestamp"), std::string::npos);
  }
}

TEST_F(MysqlConnectorTest, TableSchemaFromTheCatalog) {
  user_->exec(
      "CREATE TABLE orders (tenant INT NOT NULL, id BIGINT UNSIGNED NOT NULL, "
      "name VARCHAR(100), amount DECIMAL(10,2) NOT NULL, updated_at DATETIME(3), "
      "PRIMARY KEY (tenant, id))");
  MysqlConnector my(options());
  const auto s = my.table_schema(QualifiedName::parse("ORDERS"));
  EXPECT_EQ(s.table.display(), db_ + ".orders");
  ASSERT_EQ(s.columns.size(), 5u);
  EXPECT_EQ(s.columns[0].name, "tenant");
  EXPECT_EQ(s.columns[0].type, "int(11)");
  EXPECT_TRUE(s.columns[0].primary_key);
  EXPECT_FALSE(s.columns[0].nullable);
  EXPECT_EQ(s.columns[1].type, "bigint(20) unsigned");
  EXPECT_TRUE(s.columns[1].primary_key);
  EXPECT_EQ(s.columns[2].type, "varchar(100)");
  EXPECT_TRUE(s.columns[2].nullable);
  EXPECT_FALSE(s.columns[2].primary_key);
  EXPECT_EQ(s.columns[3].type, "decimal(10,2)");
  EXPECT_EQ(s.columns[4].type, "datetime(3)");
  EXPECT_EQ(s.columns[4].position, 5);
}

TEST_F(MysqlConnectorTest, NamesResolveExactlyFirstThenIgnoringCase) {
  user_->exec(
      "CREATE TABLE `Dup` (a INT); CREATE TABLE `dup` (b INT, `Col` INT, c INT); "
      "INSERT INTO `Dup` VALUES (1); INSERT INTO `dup` VALUES (1, 2, 3), (4, 5, 6); "
      "CREATE TABLE `Events` (`LoadedAt` DATETIME); "
      "INSERT INTO `Events` VALUES ('2026-11-27 14:00:00')");
  MysqlConnector my(options());
  EXPECT_EQ(my.row_count(QualifiedName::parse("Dup")), 1);
  EXPECT_EQ(my.row_count(QualifiedName::parse("dup")), 2);
  try {
    my.row_count(QualifiedName::parse("DUP"));
    FAIL() << "an ambiguous name was resolved";
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("differ only by case"), std::string::npos) << e.what();
  }
  EXPECT_EQ(my.table_schema(QualifiedName::parse("dup")).columns.size(), 3u);
  EXPECT_EQ(my.max_timestamp(QualifiedName::parse(db_ + ".EVENTS"), Identifier::parse("loadedat"),
                             TimeZone::utc()),
            at("2026-11-27T14:00:00Z"));
  EXPECT_EQ(
      my.max_timestamp(QualifiedName::parse("dup"), Identifier::parse("COL"), TimeZone::utc()),
      WallTime(seconds(5)));  // an integer column: Unix time
  try {
    my.max_timestamp(QualifiedName::parse("Events"), Identifier::parse("nope"), TimeZone::utc());
    FAIL() << "a missing column was found";
  } catch (const QueryError& e) {
    EXPECT_EQ(std::string(e.what()),
              "column \"nope\" not found in " + db_ + ".Events of source \"mytest\"");
  }
  EXPECT_THROW(my.row_count(QualifiedName::parse("fgt_no_such_db.Events")), QueryError);
}

TEST_F(MysqlConnectorTest, IdentifiersLongerThanSixtyFourCharactersAreRefused) {
  MysqlConnector my(options());
  const std::string long_name(65, 'a');
  for (const auto& table :
       {QualifiedName::parse(long_name), QualifiedName::parse(long_name + ".t")}) {
    try {
      my.row_count(table);
      FAIL() << "a 65-character name reached the server";
    } catch (const SecurityError& e) {
      EXPECT_NE(std::string(e.what()).find("is 65 characters long; the mysql limit is 64"),
                std::string::npos)
          << e.what();
    }
  }
  user_->exec("CREATE TABLE t (ts DATETIME)");
  EXPECT_THROW(
      my.max_timestamp(QualifiedName::parse("t"), Identifier::parse(long_name), TimeZone::utc()),
      SecurityError);
  EXPECT_EQ(sessions(), 1);  // nothing but the connection itself
}

TEST_F(MysqlConnectorTest, ListTablesListsTheDefaultSchema) {
  user_->exec(
      "CREATE TABLE orders (id INT); CREATE VIEW v AS SELECT id FROM orders; "
      "CREATE TABLE `my-table` (id INT)");
  MysqlConnector my(options());
  std::vector<std::string> names;
  for (const auto& t : my.list_tables())
    names.push_back(t.display());
  // Sorted by name; `my-table` is not a plain identifier and cannot be monitored.
  EXPECT_EQ(names, (std::vector<std::string>{db_ + ".orders", db_ + ".v"}));
  auto o = options();
  o.schema = "fgt_no_such_schema";
  EXPECT_TRUE(MysqlConnector(o).list_tables().empty());
}

TEST_F(MysqlConnectorTest, PermissionDeniedIsAQueryError) {
  // A database outside the test user's fgt_* grant, with one table it may only insert into:
  // the catalog shows the table, SELECT is refused (error 1142).
  const std::string db = "fgp_" + std::to_string(getpid());
  struct Cleanup {
    testing::MysqlRaw& admin;
    std::string db;
    ~Cleanup() {
      try {
        admin.exec("REVOKE ALL PRIVILEGES ON " + db + ".secret FROM 'fg_test'@'%'");
      } catch (const std::exception&) {  // the grant was never made
      }
      try {
        admin.exec("DROP DATABASE IF EXISTS " + db);
      } catch (const std::exception&) {
      }
    }
  } cleanup{*admin_, db};
  admin_->exec("DROP DATABASE IF EXISTS " + db + "; CREATE DATABASE " + db + "; CREATE TABLE " +
               db + ".secret (ts DATETIME); GRANT INSERT ON " + db + ".secret TO 'fg_test'@'%'");
  MysqlConnector my(options());
  try {
    my.row_count(QualifiedName::parse(db + ".secret"));
    FAIL() << "SELECT was allowed";
  } catch (const QueryError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("permission denied on source \"mytest\" (error 1142"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(MysqlConnectorTest, ConnectionFailuresAreClassified) {
  auto o = options();
  o.password = "wrong-password-123";
  try {
    MysqlConnector(o).test_connection();
    FAIL() << "a wrong password was accepted";
  } catch (const ConnectionError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConnectionFailed);
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("authentication failed for source \"mytest\""),
              std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("wrong-password"), std::string::npos);
  }
  o = options();
  o.database = "fgt_does_not_exist";
  try {
    MysqlConnector(o).test_connection();
    FAIL() << "an unknown database was accepted";
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  o = options();
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there
  o.ssl = net::SslMode::kDisable;
  try {
    MysqlConnector(o).test_connection();
    FAIL() << "connected to a closed port";
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_NE(std::string(e.what()).find("cannot connect to source \"mytest\""), std::string::npos)
        << e.what();
  }
}

TEST_F(MysqlConnectorTest, FactoryBuildsAMysqlConnectorFromConfig) {
  user_->exec(
      "CREATE TABLE orders (updated_at TIMESTAMP NULL); "
      "INSERT INTO orders VALUES (NOW() - INTERVAL 10 MINUTE)");
  config::SourceConfig source;
  source.name = "wh";
  source.type = config::SourceType::kMysql;
  source.host = server_->host;
  source.port = std::stoi(server_->port);
  source.database = db_;
  source.username = server_->user;
  source.password = server_->password;
  source.ssl_root_cert = server_->ca;
  source.statement_timeout_ms = 5000;
  auto connector = make_connector(source);
  EXPECT_EQ(connector->dialect().kind(), sql::DialectKind::kMysql);
  Rule rule;
  rule.id = "orders_fresh";
  rule.source = "wh";
  rule.table = "orders";
  rule.freshness.timestamp_column = "updated_at";
  const auto r = run_check(*connector, rule);
  EXPECT_EQ(r.status, CheckStatus::kOk) << r.message;
  ASSERT_TRUE(r.lag_seconds.has_value());
  EXPECT_NEAR(static_cast<double>(*r.lag_seconds), 600.0, 120.0);
}

}  // namespace
}  // namespace freshguard
