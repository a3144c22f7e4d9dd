// What only the PostgreSQL store does: migrations under an advisory lock, reconnecting after
// a lost connection, and errors that never carry the URL's password.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <freshguard/config/config.hpp>
#include <freshguard/metadata/factory.hpp>

#include "metadata/store_backends.hpp"
#include "support/pg_test_server.hpp"

namespace freshguard::testing {
namespace {

using std::chrono::seconds;

CheckResult ok_result(const std::string& rule) {
  CheckResult r;
  r.rule_id = rule;
  r.source = "wh";
  r.table = "t";
  r.message = "fine";
  r.checked_at = WallTime(seconds(1795788000));
  return r;
}

std::string error_of(const std::function<void()>& fn, bool* transient = nullptr) {
  try {
    fn();
  } catch (const MetadataError& e) {
    if (transient != nullptr) *transient = e.transient();
    return e.what();
  }
  return "no MetadataError";
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FRESHGUARD_NEED_PG();
    backend_ = std::make_unique<PostgresBackend>();
    admin_ = std::make_unique<PgRaw>(*PgServer::get(), true);
  }

  PostgresStoreOptions options(const std::string& app = "", int migrate_to = 0) const {
    PostgresStoreOptions o;
    o.url = backend_->url() + (app.empty() ? "" : "&application_name=" + app);
    o.migrate_to = migrate_to;
    return o;
  }

  std::string scalar(const std::string& sql) {
    return admin_->scalar("SET search_path TO " + backend_->schema() + "; " + sql);
  }

  std::unique_ptr<PostgresBackend> backend_;
  std::unique_ptr<PgRaw> admin_;
};

TEST_F(PostgresStoreTest, MigratesStepByStepAndRefusesANewerSchema) {
  {
    PostgresMetadataStore v1(options("", 1));
    EXPECT_EQ(v1.schema_version(), 1);
    v1.record_execution(ok_result("kept"));
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND "
                   "tablename = 'freshguard_approvals'"),
            "0");
  {
    PostgresMetadataStore latest(options());
    EXPECT_EQ(latest.schema_version(), postgres_store_latest_version());
    EXPECT_EQ(latest.history({.rule_id = "kept"}).size(), 1u);
    EXPECT_EQ(latest.backend(), "postgres");
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM freshguard_schema_version"),
            std::to_string(postgres_store_latest_version()));
  // Row counts are BIGINT.
  EXPECT_EQ(scalar("SELECT data_type FROM information_schema.columns WHERE table_schema = "
                   "current_schema() AND table_name = 'freshguard_executions' AND "
                   "column_name = 'row_count'"),
            "bigint");
  scalar("INSERT INTO freshguard_schema_version VALUES (999, 'future', 0)");
  EXPECT_NE(error_of([&] {
              PostgresMetadataStore s(options());
            }).find("has schema version 999, newer than this FreshGuard knows"),
            std::string::npos);
}

TEST_F(PostgresStoreTest, ProcessesOpeningAnEmptyDatabaseAtOnceMigrateItOnce) {
  constexpr int kProcesses = 4;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        PostgresMetadataStore store(options());
        store.record_execution(ok_result("p" + std::to_string(p)));
      } catch (...) {
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM freshguard_schema_version"),
            std::to_string(postgres_store_latest_version()));
  EXPECT_EQ(scalar("SELECT count(*) FROM freshguard_executions"), std::to_string(kProcesses));
}

TEST_F(PostgresStoreTest, ALostConnectionIsTransientAndTheNextCallReconnects) {
  const std::string app = "fg_meta_" + std::to_string(getpid());
  PostgresMetadataStore store(options(app));
  store.record_execution(ok_result("before"));
  admin_->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" +
               app + "'");
  ASSERT_TRUE(eventually([&] {
    return admin_->scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app +
                          "'") == "0";
  }));
  bool transient = false;
  const auto msg = error_of([&] { store.record_execution(ok_result("lost")); }, &transient);
  EXPECT_TRUE(transient) << msg;
  EXPECT_NE(msg.find("connection to the postgres metadata database was lost"), std::string::npos)
      << msg;
  store.record_execution(ok_result("after"));
  const auto h = store.history({.limit = 10});
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].rule_id, "after");
}

TEST_F(PostgresStoreTest, AFailedWriteIsReportedAndTheBatchIsAtomic) {
  PostgresMetadataStore store(options());
  scalar(
      "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "RAISE EXCEPTION 'refused'; END $$; CREATE TRIGGER no_bad BEFORE INSERT ON "
      "freshguard_executions FOR EACH ROW WHEN (NEW.rule_id = 'bad') EXECUTE FUNCTION refuse()");
  bool transient = true;
  const auto msg = error_of(
      [&] {
        store.record_executions(std::vector{ok_result("good"), ok_result("bad")});
      },
      &transient);
  EXPECT_EQ(msg, "postgres metadata database: query failed (SQLSTATE P0001)");
  EXPECT_FALSE(transient);
  EXPECT_TRUE(store.history({}).empty());
  store.record_execution(ok_result("good"));  // the session is usable again
  EXPECT_EQ(store.history({}).size(), 1u);
}

TEST_F(PostgresStoreTest, ConnectionErrorsNeverCarryThePassword) {
  const auto* s = PgServer::get();
  PostgresStoreOptions o;
  o.url = "postgresql://" + s->user + ":WrongSecret-12345@" + s->host + ":" + s->port + "/" +
          s->db + "?sslmode=verify-full&sslrootcert=" + s->ca;
  bool transient = false;
  try {
    PostgresMetadataStore store(o);
    ADD_FAILURE() << "connected with a wrong password";
  } catch (const MetadataError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot connect to the postgres metadata database");
    EXPECT_EQ(std::string(e.what()).find("WrongSecret"), std::string::npos);
    EXPECT_EQ(e.detail().find("WrongSecret"), std::string::npos);
    transient = e.transient();
  }
  EXPECT_TRUE(transient);
  o.url = "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2";
  EXPECT_NE(error_of([&] { PostgresMetadataStore store(o); }).find("cannot connect"),
            std::string::npos);
}

TEST_F(PostgresStoreTest, TheFactoryOpensTheConfiguredUrl) {
  config::MetadataConfig cfg;
  cfg.backend = config::MetadataBackend::kPostgres;
  cfg.url = backend_->url();
  auto store = open_metadata_store(cfg);
  EXPECT_EQ(store->backend(), "postgres");
  EXPECT_EQ(store->schema_version(), postgres_store_latest_version());
}

}  // namespace
}  // namespace freshguard::testing
