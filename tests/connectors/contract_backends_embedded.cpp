// Contract backends for the embedded engines: SQLite and DuckDB files in a temp dir.

#include <mutex>

#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/connectors/sqlite_connector.hpp>

#include "connectors/contract_backend.hpp"
#include "support/duckdb_db.hpp"
#include "support/recording_driver.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::testing {
namespace {

class SqliteBackend final : public ContractBackend {
 public:
  std::string name() const override { return "sqlite"; }
  void create_fixture() override {
    sqlite_exec(dir_ / "c.db", R"sql(
      CREATE TABLE contract_events (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                                    naive_ts TIMESTAMP, aware_ts TEXT, note TEXT);
      INSERT INTO contract_events VALUES
        (1, 'a', '2026-11-27 12:00:00', '2026-11-27T12:00:00+00:00', NULL),
        (2, 'b', '2026-11-27 13:00:00', '2026-11-27T15:00:00+02:00', 'x'),
        (3, 'c', NULL, NULL, NULL);
      CREATE TABLE contract_empty (ts TIMESTAMP);
      CREATE TABLE contract_nulls (ts TIMESTAMP);
      INSERT INTO contract_nulls VALUES (NULL), (NULL);
      CREATE TABLE "MixedCase" ("LoadedAt" TIMESTAMP);
      INSERT INTO "MixedCase" VALUES ('2026-11-27 14:00:00');
      CREATE TABLE contract_big (ts TEXT);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
      INSERT INTO contract_big SELECT '2026-11-27 00:00:00' FROM n;
      CREATE VIEW contract_slow AS SELECT a.ts AS ts FROM contract_big a, contract_big b,
                                                          contract_big c;
    )sql");
  }
  std::string default_schema() const override { return "main"; }
  std::string other_schema() const override { return ""; }
  std::unique_ptr<Connector> make_connector(std::chrono::milliseconds timeout) override {
    SqliteOptions o;
    o.source_name = "contract";
    o.path = dir_ / "c.db";
    o.timeout = timeout;
    return std::make_unique<connectors::SqlConnector>(
        std::make_unique<RecordingDriver>(make_sqlite_driver(o), &sent_, &mu_),
        connectors::CoreOptions{o.source_name, nullptr, {}, nullptr});
  }
  config::SourceConfig source_config() const override {
    config::SourceConfig s;
    s.type = config::SourceType::kSqlite;
    return s;
  }
  std::vector<std::string> received() override {
    const std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  TempDir dir_;
  std::mutex mu_;
  std::vector<std::string> sent_;
};

class DuckdbBackend final : public ContractBackend {
 public:
  std::string name() const override { return "duckdb"; }
  bool available() const override { return duckdb_available(); }
  void create_fixture() override {
    duckdb_exec(dir_ / "c.duckdb", R"sql(
      CREATE TABLE contract_events (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
                                    naive_ts TIMESTAMP, aware_ts TIMESTAMPTZ, note VARCHAR);
      INSERT INTO contract_events VALUES
        (1, 'a', '2026-11-27 12:00:00', '2026-11-27 12:00:00+00', NULL),
        (2, 'b', '2026-11-27 13:00:00', '2026-11-27 15:00:00+02', 'x'),
        (3, 'c', NULL, NULL, NULL);
      CREATE TABLE contract_empty (ts TIMESTAMP);
      CREATE TABLE contract_nulls (ts TIMESTAMP);
      INSERT INTO contract_nulls VALUES (NULL), (NULL);
      CREATE SCHEMA other;
      CREATE TABLE other."MixedCase" ("LoadedAt" TIMESTAMP);
      INSERT INTO other."MixedCase" VALUES ('2026-11-27 14:00:00');
      CREATE VIEW contract_slow AS
        SELECT TIMESTAMP '2026-01-01' + INTERVAL (a.i + b.i) SECOND AS ts
        FROM range(300000) a(i), range(300000) b(i);
    )sql");
  }
  std::string default_schema() const override { return "main"; }
  std::string other_schema() const override { return "other"; }
  std::unique_ptr<Connector> make_connector(std::chrono::milliseconds timeout) override {
    DuckdbOptions o;
    o.source_name = "contract";
    o.path = (dir_ / "c.duckdb").string();
    o.timeout = timeout;
    return std::make_unique<connectors::SqlConnector>(
        std::make_unique<RecordingDriver>(make_duckdb_driver(o), &sent_, &mu_),
        connectors::CoreOptions{o.source_name, nullptr, {}, nullptr});
  }
  config::SourceConfig source_config() const override {
    config::SourceConfig s;
    s.type = config::SourceType::kDuckdb;
    return s;
  }
  std::vector<std::string> received() override {
    const std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  TempDir dir_;
  std::mutex mu_;
  std::vector<std::string> sent_;
};

}  // namespace

std::unique_ptr<ContractBackend> make_sqlite_backend() {
  return std::make_unique<SqliteBackend>();
}
std::unique_ptr<ContractBackend> make_duckdb_backend() {
  return std::make_unique<DuckdbBackend>();
}

}  // namespace freshguard::testing
