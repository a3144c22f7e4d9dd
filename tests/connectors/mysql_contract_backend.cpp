// Contract backend for MariaDB: the server started by scripts/mariadb-test-server.sh, one
// database per test (and a second one holding MixedCase), created with a raw connection.

#include <freshguard/connectors/mysql_connector.hpp>

#include "connectors/contract_backend.hpp"
#include "support/mysql_test_server.hpp"

namespace freshguard::testing {
namespace {

class MysqlBackend final : public ContractBackend {
 public:
  std::string name() const override { return "mysql"; }
  bool available() const override { return MysqlServer::get() != nullptr; }
  bool required() const override { return mysql_required(); }

  void create_fixture() override {
    db_ = mysql_test_database();
    other_ = mysql_test_database("_o");
    raw_ = std::make_unique<MysqlRaw>(*MysqlServer::get(), false);
    drop();
    // What the server receives, for received(): its general log, as a table. The test
    // server is a throwaway one; the log stays on for the rest of the run.
    MysqlRaw(*MysqlServer::get(), true)
        .exec("SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = 'ON'");
    // aware_ts is a TIMESTAMP: both rows are written as absolute instants (12:00Z and
    // 15:00+02:00 = 13:00Z) under different session zones; the server itself runs in +05:00.
    raw_->exec("CREATE DATABASE " + db_ + "; CREATE DATABASE " + other_ + "; USE " + db_ + R"sql(;
      CREATE TABLE contract_events (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL,
                                    naive_ts DATETIME NULL, aware_ts TIMESTAMP NULL,
                                    note VARCHAR(20));
      SET time_zone = '+00:00';
      INSERT INTO contract_events VALUES
        (1, 'a', '2026-11-27 12:00:00', '2026-11-27 12:00:00', NULL);
      SET time_zone = '+02:00';
      INSERT INTO contract_events VALUES
        (2, 'b', '2026-11-27 13:00:00', '2026-11-27 15:00:00', 'x'),
        (3, 'c', NULL, NULL, NULL);
      CREATE TABLE contract_empty (ts DATETIME);
      CREATE TABLE contract_nulls (ts DATETIME);
      INSERT INTO contract_nulls VALUES (NULL), (NULL);
      CREATE TABLE contract_big (ts DATETIME);
      INSERT INTO contract_big SELECT '2026-11-27 00:00:00' FROM seq_1_to_3000;
      CREATE VIEW contract_slow AS SELECT a.ts AS ts FROM contract_big a, contract_big b,
                                                          contract_big c;
    )sql" + "CREATE TABLE " +
               other_ + ".`MixedCase` (`LoadedAt` DATETIME); INSERT INTO " + other_ +
               ".`MixedCase` VALUES ('2026-11-27 14:00:00')");
  }

  ~MysqlBackend() override {
    try {
      if (raw_) drop();
    } catch (const std::exception&) {  // a leftover fgt_* database is harmless
    }
  }

  std::string default_schema() const override { return db_; }
  std::string other_schema() const override { return other_; }

  std::unique_ptr<Connector> make_connector(std::chrono::milliseconds timeout) override {
    auto o = MysqlServer::get()->options(db_);
    o.source_name = "contract";
    o.timeout = timeout;
    o.cancel_grace = std::chrono::milliseconds(3000);  // room for a loaded machine
    return std::make_unique<MysqlConnector>(std::move(o));
  }
  config::SourceConfig source_config() const override {
    config::SourceConfig s;
    s.type = config::SourceType::kMysql;
    s.database = db_;
    return s;
  }
  // The server's general log, as a table (switched on for the run by the admin; the
  // statements naming this backend's database).
  std::vector<std::string> received() override {
    MysqlRaw admin(*MysqlServer::get(), true);
    std::vector<std::string> out;
    for (const auto& row :
         admin.exec("SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log "
                    "WHERE command_type IN ('Query', 'Prepare', 'Execute') "
                    "AND argument LIKE '%" +
                    db_ + "%' ORDER BY event_time")) {
      if (!row.empty() && row[0]) out.push_back(*row[0]);
    }
    return out;
  }

 private:
  void drop() {
    raw_->exec("DROP DATABASE IF EXISTS " + db_ + "; DROP DATABASE IF EXISTS " + other_);
  }

  std::string db_;
  std::string other_;
  std::unique_ptr<MysqlRaw> raw_;
};

}  // namespace

std::unique_ptr<ContractBackend> make_mysql_backend() {
  return std::make_unique<MysqlBackend>();
}

}  // namespace freshguard::testing
