#pragma once
// The throwaway MariaDB server started by scripts/mariadb-test-server.sh, as the integration
// tests see it: its settings (read from the file named by FRESHGUARD_TEST_MYSQL_ENV), a raw
// blocking libmariadb connection for setup and assertions (never the connector under test),
// and a fixture that gives every test its own database.
//
// Without a server the tests skip, unless FRESHGUARD_REQUIRE_MYSQL=1 (set by scripts/test.sh),
// in which case they fail: the README's test command must really run them.

#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>

#include <freshguard/connectors/mysql_connector.hpp>

#include "support/test_server_env.hpp"

namespace freshguard::testing {

struct MysqlServer {
  std::string host, port, user, password, db, ca, wrong_ca, alt_host, admin_user, admin_password,
      log;

  /// The server named by FRESHGUARD_TEST_MYSQL_ENV, or nullptr when there is none.
  static const MysqlServer* get() {
    static const std::optional<MysqlServer> server = load();
    return server ? &*server : nullptr;
  }

  /// Options for a connector to this server as the test user, verified TLS.
  MysqlOptions options(const std::string& database) const {
    MysqlOptions o;
    o.source_name = "mytest";
    o.host = host;
    o.port = std::stoi(port);
    o.database = database;
    o.username = user;
    o.password = password;
    o.ssl = net::SslMode::kVerifyFull;
    o.ssl_root_cert = ca;
    return o;
  }

 private:
  static std::optional<MysqlServer> load() {
    auto kv = read_server_env("FRESHGUARD_TEST_MYSQL_ENV", "FRESHGUARD_TEST_MYSQL_");
    if (!kv) return std::nullopt;
    auto& at = *kv;
    return MysqlServer{
        at["HOST"],     at["PORT"],     at["USER"],       at["PASSWORD"],       at["DB"], at["CA"],
        at["WRONG_CA"], at["ALT_HOST"], at["ADMIN_USER"], at["ADMIN_PASSWORD"], at["LOG"]};
  }
};

/// True when scripts/test.sh demands that the MariaDB tests run.
inline bool mysql_required() {
  return env_is_one("FRESHGUARD_REQUIRE_MYSQL");
}

/// Skips the test (or fails it when FRESHGUARD_REQUIRE_MYSQL=1) when there is no server.
#define FRESHGUARD_NEED_MYSQL()                                                              \
  FRESHGUARD_NEED_SERVER(::freshguard::testing::MysqlServer::get() != nullptr,               \
                         "FRESHGUARD_REQUIRE_MYSQL", "MariaDB", "FRESHGUARD_TEST_MYSQL_ENV", \
                         "scripts/mariadb-test-server.sh")

/// A plain blocking libmariadb connection for test setup and assertions (TLS, unverified).
class MysqlRaw {
 public:
  using Row = std::vector<std::optional<std::string>>;

  /// Connects as the test user, or as the admin when `admin`; `database` may be empty.
  MysqlRaw(const MysqlServer& s, bool admin, const std::string& database = "") {
    conn_ = mysql_init(nullptr);
    const unsigned protocol = MYSQL_PROTOCOL_TCP;
    const my_bool enforce = 1;
    mysql_options(conn_, MYSQL_OPT_PROTOCOL, &protocol);
    mysql_options(conn_, MYSQL_OPT_SSL_ENFORCE, &enforce);
    mysql_options(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (mysql_real_connect(conn_, s.host.c_str(), admin ? s.admin_user.c_str() : s.user.c_str(),
                           admin ? s.admin_password.c_str() : s.password.c_str(),
                           database.empty() ? nullptr : database.c_str(),
                           static_cast<unsigned>(std::stoi(s.port)), nullptr,
                           CLIENT_MULTI_STATEMENTS) == nullptr) {
      const std::string msg = mysql_error(conn_);
      mysql_close(conn_);
      throw std::runtime_error("test connection failed: " + msg);
    }
  }
  ~MysqlRaw() { mysql_close(conn_); }
  MysqlRaw(const MysqlRaw&) = delete;
  MysqlRaw& operator=(const MysqlRaw&) = delete;

  /// Runs `sql` (one or more statements); returns the rows of the last result set.
  std::vector<Row> exec(const std::string& sql) {
    if (mysql_real_query(conn_, sql.data(), sql.size()) != 0) fail(sql);
    std::vector<Row> rows;
    for (;;) {
      MYSQL_RES* res = mysql_store_result(conn_);
      if (res != nullptr) {
        rows.clear();
        const unsigned n = mysql_num_fields(res);
        while (MYSQL_ROW r = mysql_fetch_row(res)) {
          Row row;
          for (unsigned c = 0; c < n; ++c) {
            row.emplace_back(r[c] == nullptr ? std::nullopt : std::optional<std::string>(r[c]));
          }
          rows.push_back(std::move(row));
        }
        mysql_free_result(res);
      } else if (mysql_field_count(conn_) != 0) {
        fail(sql);
      }
      const int more = mysql_next_result(conn_);
      if (more > 0) fail(sql);
      if (more < 0) break;
    }
    return rows;
  }

  /// The first column of the first row ("" when none or NULL).
  std::string scalar(const std::string& sql) {
    const auto rows = exec(sql);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
    return *rows[0][0];
  }

  unsigned long thread_id() const { return mysql_thread_id(conn_); }

 private:
  [[noreturn]] void fail(const std::string& sql) {
    throw std::runtime_error("test SQL failed: " + std::string(mysql_error(conn_)) + " in: " + sql);
  }
  MYSQL* conn_ = nullptr;
};

/// eventually() under its older name.
template <class Pred>
bool eventually_mysql(Pred pred,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  return eventually(pred, limit);
}

/// A database name unique to this test and process: fgt_<suite>_<test>_<pid> (at most 64
/// characters, lower case), optionally with a suffix.
inline std::string mysql_test_database(const std::string& suffix = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? std::string(info->test_suite_name()) + "_" + info->name()
                                     : std::string("main");
  std::string clean;
  for (const char c : name) {
    clean += std::isalnum(static_cast<unsigned char>(c)) != 0
                 ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                 : '_';
  }
  const std::string tail = "_" + std::to_string(getpid()) + suffix;
  return "fgt_" + clean.substr(0, 60 - tail.size()) + tail;
}

/// Gives each test a fresh database (dropped afterwards) that the test user owns and that
/// the connector uses as its database, so the test's sessions are those with that DB.
class MysqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FRESHGUARD_NEED_MYSQL();
    server_ = MysqlServer::get();
    db_ = mysql_test_database();
    user_ = std::make_unique<MysqlRaw>(*server_, false);
    user_->exec("DROP DATABASE IF EXISTS " + db_ + "; CREATE DATABASE " + db_ + "; USE " + db_);
    admin_ = std::make_unique<MysqlRaw>(*server_, true);
  }

  void TearDown() override {
    if (user_) user_->exec("DROP DATABASE IF EXISTS " + db_);
  }

  /// Connector options for this test: its database.
  MysqlOptions options() const { return server_->options(db_); }

  /// Connections to this test's database, other than the raw setup connection.
  int sessions() {
    return std::stoi(
        admin_->scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '" + db_ +
                       "' AND ID <> " + std::to_string(user_->thread_id())));
  }

  /// Server ids of this test's connector connections, ascending.
  std::vector<std::string> session_ids() {
    std::vector<std::string> out;
    for (const auto& row :
         admin_->exec("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '" + db_ +
                      "' AND ID <> " + std::to_string(user_->thread_id()) + " ORDER BY ID")) {
      out.push_back(row[0].value_or(""));
    }
    return out;
  }

  /// Statements of this test's connections that are still running (not idle).
  int running(const std::string& like) {
    return std::stoi(
        admin_->scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '" + db_ +
                       "' AND COMMAND <> 'Sleep' AND INFO LIKE '" + like + "' AND ID <> " +
                       std::to_string(user_->thread_id())));
  }

  const MysqlServer* server_ = nullptr;
  std::string db_;
  std::unique_ptr<MysqlRaw> user_;   // the test user: creates this test's tables
  std::unique_ptr<MysqlRaw> admin_;  // every privilege: PROCESSLIST of every user
};

}  // namespace freshguard::testing
