// Deadlines and cancellation against the real server: a slow query is cancelled on the
// server at the client deadline, the server's statement_timeout is classified, and a hung
// server (a frozen proxy in front of the real one) never hangs the caller.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>

#include "support/pg_proxy.hpp"
#include "support/pg_test_server.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::eventually;
using testing::PgTest;

const auto kSlow = sql::QualifiedName::parse("slow");

class PostgresTimeoutTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    user_->exec("CREATE VIEW slow AS SELECT now() AS ts FROM pg_sleep(15)");
  }

  // Queries of this test's sessions that are still running on the server.
  int running_sleeps() {
    return std::stoi(
        admin_->scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app_ +
                       "' AND state = 'active' AND query LIKE '%slow%'"));
  }

  std::string server_log() const {
    std::ifstream in(server_->log);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

TEST_F(PostgresTimeoutTest, SlowQueryIsCancelledOnTheServerAtTheDeadline) {
  auto o = options();
  o.timeout = milliseconds(500);
  o.cancel_grace = milliseconds(3000);  // room for a loaded machine; used only until confirmed
  PostgresConnector pg(o);
  pg.test_connection();
  const auto start = steady_clock::now();
  try {
    pg.row_count(kSlow);  // SELECT count(*) over a 15 s pg_sleep
    FAIL() << "the slow query finished";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
    EXPECT_TRUE(e.transient());
    EXPECT_TRUE(e.connection_poisoned());
    EXPECT_NE(std::string(e.what()).find("deadline of 500 ms"), std::string::npos) << e.what();
    EXPECT_EQ(e.detail(), "cancelled on the server");
  }
  const auto took = steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(450));
  EXPECT_LT(took, milliseconds(3500));  // prompt: the deadline plus the cancel round trip
  // The server ran the cancel (not just a disconnect) and nothing of ours is still running.
  EXPECT_EQ(running_sleeps(), 0);
  EXPECT_NE(server_log().find(app_ + ": ERROR:  canceling statement due to user request"),
            std::string::npos);
  // The poisoned connection was discarded; the next call gets a fresh one.
  EXPECT_EQ(pg.pool_status()->total, 0);
  EXPECT_TRUE(eventually([&] { return sessions() == 0; }));
  pg.test_connection();
  EXPECT_EQ(pg.pool_status()->total, 1);
}

TEST_F(PostgresTimeoutTest, ServerStatementTimeoutIsATimeout) {
  auto o = options();
  o.statement_timeout = milliseconds(200);
  o.timeout = milliseconds(10000);
  PostgresConnector pg(o);
  const auto start = steady_clock::now();
  try {
    pg.max_timestamp(kSlow, sql::Identifier::parse("ts"), TimeZone::utc());
    FAIL() << "the slow query finished";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("statement timeout"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SQLSTATE 57014"), std::string::npos) << e.what();
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
  EXPECT_EQ(running_sleeps(), 0);
}

TEST_F(PostgresTimeoutTest, ResilienceDeadlineCapsTheCall) {
  auto o = options();
  o.timeout = milliseconds(20000);
  PostgresConnector pg(o);
  const auto start = steady_clock::now();
  {
    resilience::DeadlineScope scope(
        resilience::Deadline::after(SystemClock::instance(), milliseconds(400)));
    EXPECT_THROW(pg.row_count(kSlow), TimeoutError);
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(2500));
  {
    resilience::DeadlineScope scope(
        resilience::Deadline::after(SystemClock::instance(), milliseconds(-1)));
    EXPECT_THROW(pg.test_connection(), TimeoutError);
  }
}

TEST_F(PostgresTimeoutTest, HungServerDuringConnectHitsTheConnectTimeout) {
  testing::PgProxy proxy(std::stoi(server_->port));
  proxy.freeze();  // accepts TCP, never answers: the TLS request is left hanging
  auto o = options();
  o.host = "127.0.0.1";
  o.port = proxy.port();
  o.connect_timeout = milliseconds(400);
  PostgresConnector pg(o);
  const auto start = steady_clock::now();
  try {
    pg.test_connection();
    FAIL() << "connected to a hung server";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("connecting to source \"pgtest\" after 400 ms"),
              std::string::npos)
        << e.what();
  }
  const auto took = steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(380));
  EXPECT_LT(took, milliseconds(1500));
  EXPECT_EQ(pg.pool_status()->total, 0);
}

TEST_F(PostgresTimeoutTest, HungServerDuringAQueryNeverHangsTheCaller) {
  testing::PgProxy proxy(std::stoi(server_->port));
  auto o = options();
  o.host = "127.0.0.1";  // in the certificate's names
  o.port = proxy.port();
  o.timeout = milliseconds(400);
  o.cancel_grace = milliseconds(300);
  PostgresConnector pg(o);
  pg.test_connection();
  proxy.freeze();  // now neither the query nor the cancel request gets an answer
  const auto start = steady_clock::now();
  try {
    pg.row_count(kSlow);
    FAIL() << "a frozen server answered";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.detail(), "cancel request could not be delivered in time");
  }
  const auto took = steady_clock::now() - start;
  EXPECT_LT(took, milliseconds(400 + 300 + 1500));  // deadline + grace + slack
  EXPECT_EQ(pg.pool_status()->total, 0);
}

}  // namespace
}  // namespace freshguard
