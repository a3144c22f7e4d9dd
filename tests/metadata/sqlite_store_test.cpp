// What only the SQLite store does: its file, WAL, migrations step by step, and how it reports
// a database it cannot use or write.

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>
#include <freshguard/metadata/factory.hpp>
#include <freshguard/metadata/sqlite_store.hpp>

#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kT0{seconds(1795788000)};

CheckResult ok_result(const std::string& rule) {
  CheckResult r;
  r.rule_id = rule;
  r.source = "wh";
  r.table = "t";
  r.message = "fine";
  r.checked_at = kT0;
  return r;
}

// Reads one integer with a separate connection.
std::int64_t query_int(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr);
  std::int64_t v = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  return v;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const MetadataError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMetadataFailed);
    return e.what();
  }
  return "no MetadataError";
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreOptions options(int migrate_to = 0) const {
    SqliteStoreOptions o;
    o.path = path_;
    o.migrate_to = migrate_to;
    o.busy_timeout = milliseconds(100);
    return o;
  }
  testing::TempDir dir_;
  std::filesystem::path path_ = dir_ / "nested" / "dir" / "metadata.db";
};

TEST_F(SqliteStoreTest, CreatesItsFolderAndUsesWal) {
  SqliteMetadataStore store(options());
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_EQ(store.backend(), "sqlite");
  EXPECT_EQ(store.schema_version(), sqlite_store_latest_version());
  sqlite3* raw = nullptr;
  sqlite3_open(path_.c_str(), &raw);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

TEST_F(SqliteStoreTest, MigratesStepByStepAndRecordsEachVersionOnce) {
  {
    SqliteMetadataStore v1(options(1));
    EXPECT_EQ(v1.schema_version(), 1);
    v1.record_execution(ok_result("kept"));
  }
  EXPECT_EQ(query_int(path_, "SELECT count(*) FROM sqlite_schema WHERE name = 'approvals'"), 0);
  {
    SqliteMetadataStore latest(options());
    EXPECT_EQ(latest.schema_version(), sqlite_store_latest_version());
    EXPECT_EQ(latest.history({.rule_id = "kept"}).size(), 1u);
  }
  SqliteMetadataStore again(options());
  EXPECT_EQ(query_int(path_, "SELECT count(*) FROM schema_version"), sqlite_store_latest_version());
  EXPECT_EQ(query_int(path_, "SELECT count(*) FROM sqlite_schema WHERE name = 'approvals'"), 1);
}

TEST_F(SqliteStoreTest, RowCountsAreSixtyFourBitIntegers) {
  SqliteMetadataStore store(options());
  CheckResult r = ok_result("big");
  r.row_count = INT64_MAX;
  store.record_execution(r);
  EXPECT_EQ(query_int(path_, "SELECT row_count FROM executions"), INT64_MAX);
  EXPECT_EQ(query_int(path_, "SELECT typeof(row_count) = 'integer' FROM executions"), 1);
}

TEST_F(SqliteStoreTest, ANewerSchemaIsRefused) {
  { SqliteMetadataStore store(options()); }
  testing::sqlite_exec(path_, "INSERT INTO schema_version VALUES (999, 'future', 0)");
  const auto msg = error_of([&] { SqliteMetadataStore store(options()); });
  EXPECT_NE(msg.find("has schema version 999, newer than this FreshGuard knows"), std::string::npos)
      << msg;
}

TEST_F(SqliteStoreTest, AFailedWriteIsReportedNotSwallowed) {
  SqliteMetadataStore store(options());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  try {
    store.record_execution(ok_result("r"));
    ADD_FAILURE() << "the write did not fail";
  } catch (const MetadataError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_NE(std::string(e.what()).find("is locked by another process"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(path_.string()), std::string::npos);
  }
  EXPECT_THROW(store.prune_history(kT0), MetadataError);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  store.record_execution(ok_result("r"));  // usable again
  EXPECT_EQ(store.history({}).size(), 1u);
}

TEST_F(SqliteStoreTest, AFailedBatchWritesNothing) {
  SqliteMetadataStore store(options());
  // A CHECK constraint rejects the second row: the first must not stay behind.
  testing::sqlite_exec(path_,
                       "CREATE TRIGGER no_bad BEFORE INSERT ON executions WHEN NEW.rule_id = "
                       "'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END");
  std::vector<CheckResult> batch{ok_result("good"), ok_result("bad")};
  const auto msg = error_of([&] { store.record_executions(batch); });
  EXPECT_NE(msg.find("step failed"), std::string::npos) << msg;
  EXPECT_TRUE(store.history({}).empty());
}

TEST_F(SqliteStoreTest, UnusableFilesAreClearErrors) {
  // The folder cannot be created: a regular file is in the way.
  dir_.write("file", "x");
  SqliteStoreOptions o = options();
  o.path = dir_ / "file" / "sub" / "metadata.db";
  EXPECT_NE(error_of([&] { SqliteMetadataStore s(o); }).find("cannot create the folder"),
            std::string::npos);
  // Not a database.
  o.path = dir_.write("garbage.db", std::string(4096, 'x'));
  EXPECT_NE(error_of([&] { SqliteMetadataStore s(o); }).find("is not a usable SQLite database"),
            std::string::npos);
  // A folder where the file should be.
  std::filesystem::create_directories(dir_ / "adir");
  o.path = dir_ / "adir";
  EXPECT_NE(error_of([&] { SqliteMetadataStore s(o); }).find("cannot be written"),
            std::string::npos);
  // Must exist, and does not.
  o.path = dir_ / "missing.db";
  o.create = false;
  EXPECT_NE(error_of([&] { SqliteMetadataStore s(o); }).find("does not exist"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(o.path));
}

TEST_F(SqliteStoreTest, UnknownStoredSpellingsAreErrors) {
  SqliteMetadataStore store(options());
  store.record_execution(ok_result("r"));
  testing::sqlite_exec(path_, "UPDATE executions SET severity = 'apocalyptic'");
  EXPECT_NE(error_of([&] { store.history({}); }).find("unknown severity \"apocalyptic\""),
            std::string::npos);
  testing::sqlite_exec(path_,
                       "UPDATE executions SET severity = 'none', method = 'guess', "
                       "error_code = 'NOPE', rule_type = 'magic'");
  EXPECT_NE(error_of([&] { store.history({}); }).find("unknown rule type"), std::string::npos);
}

TEST(MetadataFactoryTest, OpensTheConfiguredSqliteFile) {
  testing::TempDir dir;
  config::MetadataConfig cfg;
  cfg.path = (dir / "m" / "meta.db").string();
  EXPECT_THROW(open_metadata_store(cfg, StoreCreation::kMustExist), MetadataError);
  auto store = open_metadata_store(cfg);
  EXPECT_EQ(store->backend(), "sqlite");
  EXPECT_TRUE(std::filesystem::exists(cfg.path));
  EXPECT_NO_THROW(open_metadata_store(cfg, StoreCreation::kMustExist));
}

}  // namespace
}  // namespace freshguard
