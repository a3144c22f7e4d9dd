#pragma once
// The throwaway PostgreSQL server started by scripts/pg-test-server.sh, as the integration
// tests see it: its settings (read from the file named by FRESHGUARD_TEST_PG_ENV), a raw
// libpq connection for setup and assertions (never the connector under test), and a fixture
// that gives every test its own schema and application_name.
//
// Without a server the tests skip, unless FRESHGUARD_REQUIRE_PG=1 (set by scripts/test.sh),
// in which case they fail: the README's test command must really run them.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <freshguard/config/config.hpp>
#include <freshguard/connectors/postgres_connector.hpp>

#include "support/test_server_env.hpp"

namespace freshguard::testing {

struct PgServer {
  std::string host, port, user, password, db, ca, wrong_ca, log, admin_user, admin_password,
      alt_host;

  /// The server named by FRESHGUARD_TEST_PG_ENV, or nullptr when there is none.
  static const PgServer* get() {
    static const std::optional<PgServer> server = load();
    return server ? &*server : nullptr;
  }

  /// Options for a connector to this server as the test role, verified TLS.
  PostgresOptions options(const std::string& app_name) const {
    PostgresOptions o;
    o.source_name = "pgtest";
    o.host = host;
    o.port = std::stoi(port);
    o.database = db;
    o.username = user;
    o.password = password;
    o.ssl = net::SslMode::kVerifyFull;
    o.ssl_root_cert = ca;
    o.application_name = app_name;
    return o;
  }

  /// A `postgres` source as a user would configure it, as the test role with verified TLS,
  /// reaching this server through 127.0.0.1:`via_port` (a proxy in front of it, or the
  /// server's own port): 127.0.0.1 is in the server certificate's names.
  config::SourceConfig source_config(const std::string& name, int via_port) const {
    config::SourceConfig c;
    c.name = name;
    c.type = config::SourceType::kPostgres;
    c.host = "127.0.0.1";
    c.port = via_port;
    c.database = db;
    c.username = user;
    c.password = password;
    c.ssl_root_cert = ca;
    return c;
  }

 private:
  static std::optional<PgServer> load() {
    auto kv = read_server_env("FRESHGUARD_TEST_PG_ENV", "FRESHGUARD_TEST_PG_");
    if (!kv) return std::nullopt;
    auto& at = *kv;
    return PgServer{
        at["HOST"],     at["PORT"], at["USER"],       at["PASSWORD"],       at["DB"],      at["CA"],
        at["WRONG_CA"], at["LOG"],  at["ADMIN_USER"], at["ADMIN_PASSWORD"], at["ALT_HOST"]};
  }
};

/// True when scripts/test.sh demands that the PostgreSQL tests run.
inline bool pg_required() {
  return env_is_one("FRESHGUARD_REQUIRE_PG");
}

/// Skips the test (or fails it when FRESHGUARD_REQUIRE_PG=1) when there is no server.
#define FRESHGUARD_NEED_PG()                                                              \
  FRESHGUARD_NEED_SERVER(::freshguard::testing::PgServer::get() != nullptr,               \
                         "FRESHGUARD_REQUIRE_PG", "PostgreSQL", "FRESHGUARD_TEST_PG_ENV", \
                         "scripts/pg-test-server.sh")

/// A plain blocking libpq connection for test setup and assertions.
class PgRaw {
 public:
  using Row = std::vector<std::optional<std::string>>;

  /// Connects as the test role, or as the superuser when `admin`.
  PgRaw(const PgServer& s, bool admin) {
    const std::string conninfo = "host=" + s.host + " port=" + s.port + " dbname=" + s.db +
                                 " user=" + (admin ? s.admin_user : s.user) +
                                 " password=" + (admin ? s.admin_password : s.password) +
                                 " sslmode=require application_name=fg_test_support";
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string msg = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("test connection failed: " + msg);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PgRaw() { PQfinish(conn_); }
  PgRaw(const PgRaw&) = delete;
  PgRaw& operator=(const PgRaw&) = delete;

  /// Runs `sql` (one or more statements); returns the rows of the last one.
  std::vector<Row> exec(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const std::string msg = PQresultErrorMessage(res);
      PQclear(res);
      throw std::runtime_error("test SQL failed: " + msg + " in: " + sql);
    }
    std::vector<Row> rows;
    for (int r = 0; r < PQntuples(res); ++r) {
      Row row;
      for (int c = 0; c < PQnfields(res); ++c) {
        if (PQgetisnull(res, r, c) != 0) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(PQgetvalue(res, r, c));
        }
      }
      rows.push_back(std::move(row));
    }
    PQclear(res);
    return rows;
  }

  /// The first column of the first row.
  std::string scalar(const std::string& sql) {
    const auto rows = exec(sql);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
    return *rows[0][0];
  }

  PGconn* raw() const { return conn_; }

 private:
  PGconn* conn_ = nullptr;
};

/// Gives each test a fresh schema (dropped afterwards), owned by the test role and set as
/// the connector's default schema, and a unique application_name to find its sessions.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FRESHGUARD_NEED_PG();
    server_ = PgServer::get();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    schema_ = "t_" + name.substr(0, 40) + "_" + std::to_string(getpid());
    app_ = "fg_" + std::to_string(getpid()) + "_" + name.substr(0, 40);
    user_ = std::make_unique<PgRaw>(*server_, false);
    admin_ = std::make_unique<PgRaw>(*server_, true);
    user_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_ +
                "; SET search_path TO " + schema_);
  }

  void TearDown() override {
    if (user_) user_->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  /// Connector options for this test: its schema, its application_name.
  PostgresOptions options() const {
    auto o = server_->options(app_);
    o.schema = schema_;
    return o;
  }

  /// Sessions that connectors of this test hold open on the server.
  int sessions() {
    return std::stoi(admin_->scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app_ + "'"));
  }

  /// Backend pids of this test's connector sessions.
  std::vector<std::string> session_pids() {
    std::vector<std::string> out;
    for (const auto& row : admin_->exec("SELECT pid FROM pg_stat_activity WHERE "
                                        "application_name = '" +
                                        app_ + "' ORDER BY pid")) {
      out.push_back(*row[0]);
    }
    return out;
  }

  const PgServer* server_ = nullptr;
  std::string schema_;
  std::string app_;
  std::unique_ptr<PgRaw> user_;   // the test role: creates this test's tables
  std::unique_ptr<PgRaw> admin_;  // the superuser: pg_stat_activity, terminating backends
};

}  // namespace freshguard::testing
