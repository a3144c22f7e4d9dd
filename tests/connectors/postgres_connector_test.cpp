// PostgresConnector operations against the real throwaway server (scripts/pg-test-server.sh).

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "connectors/postgres/pg_config.hpp"
#include "connectors/postgres/pg_session.hpp"
#include "support/aggregate.hpp"
#include "support/pg_test_server.hpp"

namespace freshguard {
namespace {

using sql::Identifier;
using sql::QualifiedName;
using testing::PgTest;

QualifiedName qn(const char* text) {
  return QualifiedName::parse(text);
}

WallTime utc(const char* text) {
  return *parse_timestamp(text, TimeZone::utc());
}

class PostgresConnectorTest : public PgTest {};

TEST_F(PostgresConnectorTest, TestConnectionAndListTables) {
  user_->exec(
      "CREATE TABLE orders (id int); CREATE VIEW recent AS SELECT * FROM orders; "
      "CREATE TABLE \"Odd Name\" (id int); CREATE TABLE hidden (id int); "
      "REVOKE ALL ON hidden FROM fg_test");
  PostgresConnector pg(options());
  pg.test_connection();
  const auto tables = pg.list_tables();
  std::vector<std::string> names;
  for (const auto& t : tables)
    names.push_back(t.display());
  // The view is listed; a name that is not an identifier and an unreadable table are not.
  EXPECT_EQ(names, (std::vector<std::string>{schema_ + ".orders", schema_ + ".recent"}));
  EXPECT_EQ(pg.source_name(), "pgtest");
  EXPECT_EQ(pg.dialect().kind(), sql::DialectKind::kPostgres);
}

TEST_F(PostgresConnectorTest, TableSchemaFromCatalog) {
  user_->exec(
      "CREATE TABLE orders (id bigint, region text, note varchar(100) NOT NULL, "
      "amount numeric(10,2), dropped int, updated_at timestamptz, PRIMARY KEY (id, region)); "
      "ALTER TABLE orders DROP COLUMN dropped");
  PostgresConnector pg(options());
  const auto schema = pg.table_schema(qn("orders"));
  EXPECT_EQ(schema.table.display(), schema_ + ".orders");
  ASSERT_EQ(schema.columns.size(), 5u);
  const auto& c = schema.columns;
  EXPECT_EQ(c[0].name, "id");
  EXPECT_EQ(c[0].type, "bigint");
  EXPECT_TRUE(c[0].primary_key);
  EXPECT_FALSE(c[0].nullable);
  EXPECT_EQ(c[1].name, "region");
  EXPECT_TRUE(c[1].primary_key);
  EXPECT_EQ(c[2].type, "character varying(100)");
  EXPECT_FALSE(c[2].nullable);
  EXPECT_FALSE(c[2].primary_key);
  EXPECT_EQ(c[3].type, "numeric(10,2)");
  EXPECT_TRUE(c[3].nullable);
  // Ordinals count live columns: the dropped one leaves no gap.
  EXPECT_EQ(c[4].name, "updated_at");
  EXPECT_EQ(c[4].type, "timestamp with time zone");
  EXPECT_EQ(c[4].position, 5);
}

TEST_F(PostgresConnectorTest, RowCountsOfTablesViewsAndPartitions) {
  user_->exec(
      "CREATE TABLE orders (id int); INSERT INTO orders SELECT generate_series(1, 1234);"
      "CREATE VIEW v AS SELECT * FROM orders;"
      "CREATE TABLE parts (id int) PARTITION BY RANGE (id);"
      "CREATE TABLE parts_a PARTITION OF parts FOR VALUES FROM (0) TO (1000);"
      "CREATE TABLE parts_b PARTITION OF parts FOR VALUES FROM (1000) TO (5000);"
      "INSERT INTO parts SELECT generate_series(1, 3000)");
  PostgresConnector pg(options());
  EXPECT_EQ(pg.row_count(qn("orders")), 1234);
  EXPECT_EQ(pg.row_count(qn("v")), 1234);
  EXPECT_EQ(pg.row_count(qn("parts")), 3000);
}

TEST_F(PostgresConnectorTest, TimestampTimestamptzAndDate) {
  user_->exec(
      "CREATE TABLE events (tz timestamptz, naive timestamp, day date, txt text, n int);"
      "INSERT INTO events VALUES "
      "('2026-03-01 10:00:00.5+00', '2026-03-01 12:00:00', '2026-03-01', "
      "'2026-03-01T12:00:00', 1),"
      "('2026-02-01 08:00:00+03', '2026-02-01 08:00:00', '2026-02-01', "
      "'2026-02-01 08:00:00+01', 2),"
      "(NULL, NULL, NULL, NULL, NULL)");
  PostgresConnector pg(options());
  const auto t = qn("events");
  const auto paris = TimeZone::named("+02:00");
  // timestamptz is absolute: the rule's zone does not move it.
  EXPECT_EQ(pg.max_timestamp(t, Identifier::parse("tz"), paris), utc("2026-03-01T10:00:00.5Z"));
  EXPECT_EQ(testing::min_timestamp(pg, t, Identifier::parse("tz"), paris),
            utc("2026-02-01T05:00:00Z"));
  // timestamp and date are naive: read in the rule's zone.
  EXPECT_EQ(pg.max_timestamp(t, Identifier::parse("naive"), paris), utc("2026-03-01T10:00:00Z"));
  EXPECT_EQ(pg.max_timestamp(t, Identifier::parse("naive"), TimeZone::utc()),
            utc("2026-03-01T12:00:00Z"));
  EXPECT_EQ(pg.max_timestamp(t, Identifier::parse("day"), paris), utc("2026-02-28T22:00:00Z"));
  EXPECT_EQ(testing::min_timestamp(pg, t, Identifier::parse("day"), TimeZone::utc()),
            utc("2026-02-01T00:00:00Z"));
  EXPECT_EQ(pg.max_timestamp(t, Identifier::parse("txt"), paris), utc("2026-03-01T10:00:00Z"));
  EXPECT_THROW(pg.max_timestamp(t, Identifier::parse("n"), paris), MonitoringError);
}

TEST_F(PostgresConnectorTest, EmptyNullAndInfiniteColumns) {
  user_->exec(
      "CREATE TABLE empty (ts timestamptz); CREATE TABLE nulls (ts timestamptz);"
      "INSERT INTO nulls VALUES (NULL), (NULL);"
      "CREATE TABLE inf (ts timestamp); INSERT INTO inf VALUES ('infinity')");
  PostgresConnector pg(options());
  const auto ts = Identifier::parse("ts");
  EXPECT_EQ(pg.max_timestamp(qn("empty"), ts, TimeZone::utc()), std::nullopt);
  EXPECT_EQ(pg.max_timestamp(qn("nulls"), ts, TimeZone::utc()), std::nullopt);
  try {
    pg.max_timestamp(qn("inf"), ts, TimeZone::utc());
    FAIL() << "infinity accepted";
  } catch (const MonitoringError& e) {
    EXPECT_NE(std::string(e.what()).find("not a finite timestamp"), std::string::npos);
  }
}

TEST_F(PostgresConnectorTest, MixedCaseAndSchemaQualifiedNames) {
  user_->exec(
      "CREATE TABLE \"Orders\" (\"UpdatedAt\" timestamptz, id int);"
      "INSERT INTO \"Orders\" VALUES ('2026-01-01 00:00:00+00', 1);"
      "CREATE SCHEMA " +
      schema_ +
      "_Sales;"
      "CREATE TABLE " +
      schema_ +
      "_sales.\"Daily\" (ts timestamptz);"
      "INSERT INTO " +
      schema_ + "_sales.\"Daily\" VALUES ('2026-02-02 00:00:00+00')");
  PostgresConnector pg(options());
  // Case-insensitive resolution against the catalog, for tables and columns.
  EXPECT_EQ(pg.row_count(qn("orders")), 1);
  EXPECT_EQ(pg.row_count(qn("ORDERS")), 1);
  EXPECT_EQ(pg.max_timestamp(qn("orders"), Identifier::parse("updatedat"), TimeZone::utc()),
            utc("2026-01-01T00:00:00Z"));
  const auto schema = pg.table_schema(qn("orders"));
  EXPECT_EQ(schema.table.name.str(), "Orders");
  EXPECT_EQ(schema.columns.at(0).name, "UpdatedAt");
  // Schema-qualified, with the schema in another case than the catalog's.
  const auto daily = QualifiedName::parse(schema_ + "_SALES.daily");
  EXPECT_EQ(pg.max_timestamp(daily, Identifier::parse("ts"), TimeZone::utc()),
            utc("2026-02-02T00:00:00Z"));
  EXPECT_EQ(pg.table_schema(daily).table.display(), schema_ + "_sales.Daily");
  user_->exec("DROP SCHEMA " + schema_ + "_sales CASCADE");
}

TEST_F(PostgresConnectorTest, ExactSpellingWinsAndAmbiguityIsAnError) {
  user_->exec(
      "CREATE TABLE t (\"Ts\" timestamptz, \"TS\" timestamptz);"
      "INSERT INTO t VALUES ('2026-01-01 00:00:00+00', '2026-06-01 00:00:00+00');"
      "CREATE TABLE \"T\" (x int); INSERT INTO \"T\" VALUES (1), (2)");
  PostgresConnector pg(options());
  EXPECT_EQ(pg.row_count(qn("t")), 1);
  EXPECT_EQ(pg.row_count(qn("T")), 2);
  EXPECT_EQ(pg.max_timestamp(qn("t"), Identifier::parse("TS"), TimeZone::utc()),
            utc("2026-06-01T00:00:00Z"));
  try {
    pg.max_timestamp(qn("t"), Identifier::parse("ts"), TimeZone::utc());
    FAIL() << "ambiguous column accepted";
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("differ only by case"), std::string::npos) << e.what();
  }
  EXPECT_THROW(pg.row_count(qn("T_")), QueryError);
  user_->exec("DROP TABLE t");
  EXPECT_EQ(pg.row_count(qn("t")), 2);  // the only case-insensitive match is "T" now
  user_->exec("CREATE TABLE \"Ab\" (x int); CREATE TABLE \"AB\" (x int)");
  try {
    pg.row_count(qn("ab"));
    FAIL() << "ambiguous table accepted";
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("table name \"ab\" matches several"), std::string::npos)
        << e.what();
  }
}

TEST_F(PostgresConnectorTest, MissingTableAndColumn) {
  user_->exec("CREATE TABLE orders (ts timestamptz)");
  PostgresConnector pg(options());
  try {
    pg.row_count(qn("nope"));
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_EQ(std::string(e.what()),
              "table \"" + schema_ + ".nope\" not found in source \"pgtest\"");
    EXPECT_FALSE(e.transient());
  }
  try {
    pg.max_timestamp(qn("orders"), Identifier::parse("nope"), TimeZone::utc());
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_EQ(std::string(e.what()),
              "column \"nope\" not found in " + schema_ + ".orders of source \"pgtest\"");
  }
  EXPECT_THROW(pg.table_schema(qn("nope_schema.orders")), QueryError);
  // Errors leave the pooled connection usable.
  EXPECT_EQ(pg.row_count(qn("orders")), 0);
  EXPECT_EQ(pg.pool_status()->total, 1);
}

TEST_F(PostgresConnectorTest, PermissionDeniedIsANonTransientQueryError) {
  admin_->exec("CREATE TABLE " + schema_ + ".secret (id int)");  // owned by the superuser
  PostgresConnector pg(options());
  try {
    pg.row_count(qn("secret"));
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("permission denied on source \"pgtest\""),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("42501"), std::string::npos);
    EXPECT_FALSE(e.transient());
    EXPECT_FALSE(e.connection_poisoned());
  }
}

TEST_F(PostgresConnectorTest, SessionSettings) {
  // A session opened with the connector's own configuration.
  auto o = options();
  o.statement_timeout = std::chrono::milliseconds(4321);
  const auto config = pg::session_config(o, SystemClock::instance());
  const auto d = pg::Deadline::after(SystemClock::instance(), std::chrono::seconds(5));
  auto session = pg::Session::open(config, d);
  const auto show = [&](const char* setting) {
    const auto res = session->exec(std::string("SHOW ") + setting, {}, d);
    return std::string(PQgetvalue(res.get(), 0, 0));
  };
  EXPECT_EQ(show("statement_timeout"), "4321ms");
  EXPECT_EQ(show("TimeZone"), "UTC");
  EXPECT_EQ(show("DateStyle"), "ISO, MDY");
  EXPECT_EQ(show("application_name"), app_);
  // Read-only: monitoring never writes.
  EXPECT_THROW(session->exec("CREATE TABLE " + schema_ + ".x (id int)", {}, d), QueryError);
  EXPECT_TRUE(session->usable());
  EXPECT_GT(session->backend_pid(), 0);
  const auto ssl = admin_->scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = " +
                                  std::to_string(session->backend_pid()));
  EXPECT_EQ(ssl, "t");
}

TEST_F(PostgresConnectorTest, ValuesAreBoundParameters) {
  user_->exec("CREATE TABLE orders (id int)");
  pg::SessionConfig config;
  config.source = "pgtest";
  const auto o = options();
  config.params = {{"host", o.host},          {"port", std::to_string(o.port)},
                   {"dbname", o.database},    {"user", o.username},
                   {"password", o.password},  {"sslmode", "require"},
                   {"application_name", app_}};
  auto session = pg::Session::open(
      config, pg::Deadline::after(SystemClock::instance(), std::chrono::seconds(5)));
  const auto d = pg::Deadline::after(SystemClock::instance(), std::chrono::seconds(5));
  const std::string hostile = "x'); DROP TABLE " + schema_ + ".orders; --";
  const auto res = session->exec("SELECT $1::text", {hostile}, d);
  EXPECT_EQ(PQgetvalue(res.get(), 0, 0), hostile);
  EXPECT_EQ(user_->scalar("SELECT count(*) FROM orders"), "0");  // still there
  // A value larger than the socket buffer is flushed in pieces.
  const std::string big(8 << 20, 'x');
  const auto len = session->exec("SELECT length($1::text)", {big}, d);
  EXPECT_STREQ(PQgetvalue(len.get(), 0, 0), "8388608");
  // libpq's identifier quoting agrees with the dialect's.
  EXPECT_EQ(session->escape_identifier("Orders"), "\"Orders\"");

  // The server log shows the connector's catalog queries with $n placeholders and the
  // names only among the bound parameters.
  PostgresConnector pg(options());
  EXPECT_EQ(pg.row_count(qn("orders")), 0);
  std::ifstream log(server_->log);
  std::stringstream text;
  text << log.rdbuf();
  const std::string all = text.str();
  const auto stmt = all.rfind(app_ + ": LOG:  execute <unnamed>: WITH exact AS");
  ASSERT_NE(stmt, std::string::npos) << "catalog query not in the server log";
  const auto line_end = all.find('\n', stmt);
  const std::string statement = all.substr(stmt, line_end - stmt);
  EXPECT_NE(statement.find("c.relname = $2"), std::string::npos) << statement;
  EXPECT_EQ(statement.find("'orders'"), std::string::npos) << statement;
  const auto params =
      all.find("DETAIL:  parameters: $1 = '" + schema_ + "', $2 = 'orders'", line_end);
  EXPECT_NE(params, std::string::npos);
}

TEST_F(PostgresConnectorTest, FactoryBuildsAPostgresConnectorFromConfig) {
  user_->exec(
      "CREATE TABLE orders (updated_at timestamptz);"
      "INSERT INTO orders VALUES (now() - interval '10 minutes')");
  config::SourceConfig source;
  source.name = "wh";
  source.type = config::SourceType::kPostgres;
  source.host = server_->host;
  source.port = std::stoi(server_->port);
  source.database = server_->db;
  source.username = server_->user;
  source.password = server_->password;
  source.ssl_root_cert = server_->ca;
  source.schema = schema_;
  auto connector = make_connector(source);
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
