// The SQLite connector's resource bounds: a statement that builds a huge value fails fast
// with a clear error and little memory, a CPU-bound one stops at its deadline, and a path
// that is not a regular file (a FIFO) fails at once instead of blocking in open(2).

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>

#include "connectors/peak_rss.hpp"
#include "connectors/sqlite/sqlite_session.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

class SqliteLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "warehouse.db";
    testing::sqlite_exec(db_, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
    opts_.source_name = "wh";
    opts_.path = db_;
    opts_.timeout = milliseconds(2000);
  }

  // Runs `sql` the way the connector runs every statement: a session opened with the
  // source's limits, then the statement under its deadline.
  void run(const std::string& sql) {
    auto db = sqlite::open_database(opts_);
    sqlite::execute(db.get(), opts_, SystemClock::instance(), opts_.timeout, sql, {},
                    [](sqlite3_stmt*) {});
  }

  testing::TempDir dir_;
  std::filesystem::path db_;
  SqliteOptions opts_;
};

TEST_F(SqliteLimitsTest, HugeValueBombsFailFastWithLittleMemory) {
  for (const char* bomb :
       {"SELECT length(randomblob(1000000000))", "SELECT length(zeroblob(1000000000))",
        "SELECT length(replace(hex(zeroblob(1000000)), '0', hex(zeroblob(50))))"}) {
    testing::PeakRss peak;
    const auto start = Steady::now();
    try {
      run(bomb);
      ADD_FAILURE() << "expected a QueryError for " << bomb;
    } catch (const QueryError& e) {
      EXPECT_NE(std::string(e.what()).find("max_value_mb"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("source \"wh\""), std::string::npos) << e.what();
      EXPECT_FALSE(e.transient());
    } catch (const TimeoutError& e) {
      // Building up to the limit under ASan can outlast the deadline: also bounded.
      std::cerr << bomb << ": " << e.what() << "\n";
    }
    const auto took = Steady::now() - start;
    std::cerr << bomb << ": " << std::chrono::duration_cast<milliseconds>(took).count()
              << " ms, peak +" << peak.growth() / testing::kMiB << " MiB\n";
    EXPECT_LT(took, opts_.timeout + std::chrono::seconds(1)) << bomb;
    // 64 MB values at most, with ASan's redzones and the engine's copies: far below the
    // gigabytes the bombs ask for.
    EXPECT_LT(peak.growth(), 400 * testing::kMiB) << bomb;
  }
}

TEST_F(SqliteLimitsTest, PrintfIsRefusedNotRunUninterruptibly) {
  // Under the length limit printf drops its output but still loops a billion times in one
  // step (seen: 20 s past a 2 s deadline); it is refused instead.
  for (const char* bomb :
       {"SELECT length(printf('%.*c', 1000000000, 'x'))", "SELECT format('%d', 1)"}) {
    const auto start = Steady::now();
    try {
      run(bomb);
      ADD_FAILURE() << "expected a QueryError for " << bomb;
    } catch (const QueryError& e) {
      EXPECT_NE(e.detail().find("printf() and format() are disabled"), std::string::npos)
          << e.detail();
    }
    EXPECT_LT(Steady::now() - start, std::chrono::seconds(1)) << bomb;
  }
}

TEST_F(SqliteLimitsTest, MaxValueBytesIsConfigurable) {
  opts_.max_value_bytes = 1024 * 1024;
  EXPECT_THROW(run("SELECT length(zeroblob(2000000))"), QueryError);
  opts_.max_value_bytes = 4 * 1024 * 1024;
  EXPECT_NO_THROW(run("SELECT length(zeroblob(2000000))"));
}

TEST_F(SqliteLimitsTest, CpuBombStopsAtTheDeadline) {
  opts_.timeout = milliseconds(500);
  const auto start = Steady::now();
  EXPECT_THROW(run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                   "SELECT count(*) FROM n"),
               TimeoutError);
  EXPECT_LT(Steady::now() - start, opts_.timeout + std::chrono::seconds(1));
}

TEST_F(SqliteLimitsTest, AttachIsRefused) {
  // ATTACH would open a file that never went through the regular-file check.
  EXPECT_THROW(run("ATTACH DATABASE '" + (dir_ / "other.db").string() + "' AS other"), QueryError);
}

TEST_F(SqliteLimitsTest, FifoPathFailsFastThroughTheConnector) {
  const auto fifo = dir_ / "pipe.db";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  opts_.path = fifo;
  SqliteConnector c(opts_);
  const auto start = Steady::now();
  try {
    c.test_connection();
    FAIL() << "expected a ConnectionError";
  } catch (const ConnectionError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("source \"wh\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("FIFO"), std::string::npos) << msg;
    EXPECT_FALSE(e.transient());
  }
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(c.open_connections(), 0);
}

TEST_F(SqliteLimitsTest, DirectoryPathIsRefused) {
  opts_.path = dir_.path();
  SqliteConnector c(opts_);
  try {
    c.test_connection();
    FAIL() << "expected a ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("a directory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace freshguard
