// Deadlines and KILL QUERY against the real MariaDB server: a slow statement is stopped on
// the server at the client deadline, the server's own statement limit is classified, and a
// hung server (a frozen proxy in front of the real one) never hangs the caller.

#include <gtest/gtest.h>

#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>

#include "connectors/mysql/mysql_config.hpp"
#include "connectors/mysql/mysql_session.hpp"
#include "support/mysql_stall_server.hpp"
#include "support/mysql_test_server.hpp"
#include "support/pg_proxy.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::eventually_mysql;
using testing::MysqlTest;

const auto kBig = sql::QualifiedName::parse("slow");

class MysqlTimeoutTest : public MysqlTest {
 protected:
  void SetUp() override {
    MysqlTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // A view whose every row costs 3000^3 loop iterations: minutes of work for the server.
    user_->exec(
        "CREATE TABLE big (ts DATETIME); "
        "INSERT INTO big SELECT '2026-11-27 00:00:00' FROM seq_1_to_3000; "
        "CREATE VIEW slow AS SELECT a.ts AS ts FROM big a, big b, big c");
  }

  // True when no statement of this test matching `like` runs on the server within 1 s.
  bool stopped(const std::string& like) {
    return eventually_mysql([&] { return running(like) == 0; }, milliseconds(1000));
  }
};

// The proof: SELECT SLEEP(15) stopped at a short deadline, nothing left running.
TEST_F(MysqlTimeoutTest, SleepIsKilledOnTheServerAtTheDeadline) {
  auto o = options();
  o.cancel_grace = milliseconds(3000);  // room for a loaded machine; used only until confirmed
  const auto config = mysql::session_config(o, SystemClock::instance());
  const auto& clock = SystemClock::instance();
  auto session = mysql::Session::open(config, mysql::Deadline::after(clock, milliseconds(5000)));
  const auto start = steady_clock::now();
  try {
    session->query("SELECT SLEEP(15)", {}, mysql::Deadline::after(clock, milliseconds(500)));
    FAIL() << "SLEEP(15) finished";
  } catch (const TimeoutError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_TRUE(e.connection_poisoned());
    EXPECT_NE(std::string(e.what()).find("deadline of 500 ms"), std::string::npos) << e.what();
    EXPECT_EQ(e.detail(), "killed on the server");
  }
  const auto took = steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(450));
  EXPECT_LT(took, milliseconds(3500));
  EXPECT_FALSE(session->usable());
  // The server answered the KILL before we returned; its thread may still be finishing the
  // command's bookkeeping for a moment, far less than the statement would have run.
  EXPECT_TRUE(stopped("SELECT SLEEP%"));
  session.reset();
  EXPECT_TRUE(eventually_mysql([&] { return sessions() == 0; }));
}

TEST_F(MysqlTimeoutTest, SlowQueryThroughTheConnectorIsKilledAndTheConnectionDiscarded) {
  auto o = options();
  o.timeout = milliseconds(800);
  o.cancel_grace = milliseconds(3000);
  MysqlConnector my(o);
  my.test_connection();
  const auto start = steady_clock::now();
  try {
    my.row_count(kBig);
    FAIL() << "the slow query finished";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.detail(), "killed on the server");
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(4000));
  EXPECT_TRUE(stopped("SELECT COUNT(*)%"));
  EXPECT_EQ(my.pool_status()->total, 0);
  EXPECT_TRUE(eventually_mysql([&] { return sessions() == 0; }));
  my.test_connection();  // a fresh connection
  EXPECT_EQ(my.pool_status()->total, 1);
}

TEST_F(MysqlTimeoutTest, ServerStatementLimitIsATimeout) {
  auto o = options();
  o.statement_timeout = milliseconds(300);
  o.timeout = milliseconds(10000);
  MysqlConnector my(o);
  const auto start = steady_clock::now();
  try {
    my.max_timestamp(kBig, sql::Identifier::parse("ts"), TimeZone::utc());
    FAIL() << "the slow query finished";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("statement time limit"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("error 1969"), std::string::npos) << e.what();
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  EXPECT_TRUE(stopped("SELECT MAX%"));  // the server stopped the work itself
}

TEST_F(MysqlTimeoutTest, ResilienceDeadlineCapsTheCall) {
  auto o = options();
  o.timeout = milliseconds(20000);
  MysqlConnector my(o);
  const auto start = steady_clock::now();
  {
    resilience::DeadlineScope scope(
        resilience::Deadline::after(SystemClock::instance(), milliseconds(600)));
    EXPECT_THROW(my.row_count(kBig), TimeoutError);
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  {
    resilience::DeadlineScope scope(
        resilience::Deadline::after(SystemClock::instance(), milliseconds(-1)));
    EXPECT_THROW(my.test_connection(), TimeoutError);
  }
}

TEST_F(MysqlTimeoutTest, HungServerDuringConnectHitsTheConnectTimeout) {
  testing::PgProxy proxy(std::stoi(server_->port));
  proxy.freeze();  // accepts TCP, never answers: the server greeting never comes
  auto o = options();
  o.host = "127.0.0.1";
  o.port = proxy.port();
  o.ssl = net::SslMode::kVerifyCa;  // 127.0.0.1 is not in the certificate's names
  o.connect_timeout = milliseconds(400);
  MysqlConnector my(o);
  const auto start = steady_clock::now();
  try {
    my.test_connection();
    FAIL() << "connected to a hung server";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("connecting to source \"mytest\" after 400 ms"),
              std::string::npos)
        << e.what();
  }
  const auto took = steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(380));
  EXPECT_LT(took, milliseconds(1500));
  EXPECT_EQ(my.pool_status()->total, 0);
}

// Connector/C 3.3 performs the TLS handshake with blocking reads; its connect timeout (our
// connect budget rounded up to whole seconds) bounds that part, and it is reported as ours.
TEST_F(MysqlTimeoutTest, StalledTlsHandshakeIsBoundedByTheConnectTimeout) {
  testing::MysqlStallServer stall(std::stoi(server_->port));
  auto o = options();
  o.host = "127.0.0.1";
  o.port = stall.port();
  o.ssl = net::SslMode::kRequire;
  o.connect_timeout = milliseconds(400);
  MysqlConnector my(o);
  const auto start = steady_clock::now();
  try {
    my.test_connection();
    FAIL() << "a stalled handshake succeeded";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out connecting to source \"mytest\" after 400 ms"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(2500));  // one whole second, plus slack
  EXPECT_EQ(my.pool_status()->total, 0);
}

TEST_F(MysqlTimeoutTest, HungServerDuringAQueryNeverHangsTheCaller) {
  testing::PgProxy proxy(std::stoi(server_->port));
  auto o = options();
  o.host = "127.0.0.1";
  o.port = proxy.port();
  o.ssl = net::SslMode::kVerifyCa;
  o.timeout = milliseconds(400);
  o.cancel_grace = milliseconds(300);
  MysqlConnector my(o);
  my.test_connection();
  proxy.freeze();  // now neither the query nor the KILL QUERY connection gets an answer
  const auto start = steady_clock::now();
  try {
    my.row_count(sql::QualifiedName::parse("big"));
    FAIL() << "a frozen server answered";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.detail(), "KILL QUERY could not be delivered in time");
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(400 + 300 + 1500));
  EXPECT_EQ(my.pool_status()->total, 0);
}

}  // namespace
}  // namespace freshguard
