// Contract backend for PostgreSQL: the throwaway server of scripts/pg-test-server.sh, a
// fresh pair of schemas per test (dropped afterwards).

#include <atomic>
#include <fstream>

#include <unistd.h>

#include <freshguard/connectors/postgres_connector.hpp>

#include "connectors/contract_backend.hpp"
#include "support/pg_test_server.hpp"

namespace freshguard::testing {
namespace {

class PostgresBackend final : public ContractBackend {
 public:
  PostgresBackend() {
    static std::atomic<int> counter{0};
    const std::string id = std::to_string(getpid()) + "_" + std::to_string(counter++);
    schema_ = "contract_" + id;
    other_ = "contract_other_" + id;
  }
  ~PostgresBackend() override {
    if (raw_) raw_->exec("DROP SCHEMA IF EXISTS " + schema_ + ", " + other_ + " CASCADE");
  }

  std::string name() const override { return "postgres"; }
  bool available() const override { return PgServer::get() != nullptr; }
  bool required() const override { return pg_required(); }
  void create_fixture() override {
    raw_ = std::make_unique<PgRaw>(*PgServer::get(), false);
    const std::string s = schema_;
    raw_->exec("CREATE SCHEMA " + s + "; CREATE SCHEMA " + other_ + "; CREATE TABLE " + s +
               ".contract_events (id integer PRIMARY KEY, name text NOT NULL, naive_ts "
               "timestamp, aware_ts timestamptz, note text); INSERT INTO " +
               s +
               ".contract_events VALUES "
               "(1, 'a', '2026-11-27 12:00:00', '2026-11-27 12:00:00+00', NULL), "
               "(2, 'b', '2026-11-27 13:00:00', '2026-11-27 15:00:00+02', 'x'), "
               "(3, 'c', NULL, NULL, NULL); "
               "CREATE TABLE " +
               s + ".contract_empty (ts timestamp); CREATE TABLE " + s +
               ".contract_nulls (ts timestamp); INSERT INTO " + s +
               ".contract_nulls VALUES (NULL), (NULL); CREATE TABLE " + other_ +
               ".\"MixedCase\" (\"LoadedAt\" timestamp); INSERT INTO " + other_ +
               ".\"MixedCase\" VALUES ('2026-11-27 14:00:00'); CREATE VIEW " + s +
               ".contract_slow AS SELECT '2026-01-01'::timestamp AS ts FROM pg_sleep(15)");
  }
  std::string default_schema() const override { return schema_; }
  std::string other_schema() const override { return other_; }
  std::unique_ptr<Connector> make_connector(std::chrono::milliseconds timeout) override {
    auto o = PgServer::get()->options("fg_contract_" + schema_);
    o.source_name = "contract";
    o.schema = schema_;
    o.timeout = timeout;
    return std::make_unique<PostgresConnector>(std::move(o));
  }
  config::SourceConfig source_config() const override {
    config::SourceConfig s;
    s.type = config::SourceType::kPostgres;
    s.schema = schema_;
    return s;
  }
  // The server logs every statement (log_statement = all) with the session's
  // application_name: `<app>: LOG:  execute <unnamed>: <text>` or `... statement: <text>`.
  std::vector<std::string> received() override {
    std::ifstream in(PgServer::get()->log);
    std::vector<std::string> out;
    const std::string app = "fg_contract_" + schema_ + ": LOG:  ";
    for (std::string line; std::getline(in, line);) {
      const auto at = line.find(app);
      if (at == std::string::npos) continue;
      for (const std::string kind : {"execute <unnamed>: ", "statement: "}) {
        const auto text = line.find(kind, at + app.size());
        if (text == at + app.size()) out.push_back(line.substr(text + kind.size()));
      }
    }
    return out;
  }

 private:
  std::string schema_;
  std::string other_;
  std::unique_ptr<PgRaw> raw_;
};

}  // namespace

std::unique_ptr<ContractBackend> make_postgres_backend() {
  return std::make_unique<PostgresBackend>();
}

}  // namespace freshguard::testing
