#pragma once
// Shared pieces of the REST protocol test servers (bigquery_test_server.hpp, ...): a
// self-signed TLS certificate for 127.0.0.1 (it is its own CA, so clients keep TLS
// verification on and trust it through a CA override), RSA keys for the JWT auth, and a
// small SQLite engine the servers run the translated SQL on.

#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::testing {

inline void run_openssl(const std::string& args) {
  const std::string cmd = "openssl " + args + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl failed: " + args);
}

/// A self-signed certificate and key for 127.0.0.1, made once per test process.
struct TestTls {
  TempDir dir;
  std::filesystem::path cert = dir / "server.crt";
  std::filesystem::path key = dir / "server.key";
  TestTls() {
    run_openssl(
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
        "subjectAltName=IP:127.0.0.1 -keyout " +
        shell_quote(key.string()) + " -out " + shell_quote(cert.string()));
  }
  static const TestTls& get() {
    static const TestTls tls;
    return tls;
  }
};

/// A fresh unencrypted PKCS#8 RSA private key (PEM). `index` picks one of a few keys made
/// once per process (key generation is slow under sanitizers).
inline std::string test_rsa_key_pem(int index = 0) {
  static std::mutex mu;
  static std::vector<std::string> keys;
  static TempDir dir;
  std::lock_guard lock(mu);
  while (static_cast<int>(keys.size()) <= index) {
    const auto file = dir / ("k" + std::to_string(keys.size()) + ".pem");
    run_openssl("genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                shell_quote(file.string()));
    keys.push_back(slurp(file));
  }
  return keys[static_cast<std::size_t>(index)];
}

/// One result column: name, declared type (empty for expressions) and values.
struct SqlColumn {
  std::string name;
  std::string decltype_name;
};
struct SqlResult {
  std::vector<SqlColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::vector<int> sqlite_types;  ///< of the first row's cells (SQLITE_INTEGER, ...)
};

/// An in-memory SQLite database with attached in-memory schemas. Not thread-safe: the
/// servers lock around it.
class SqlEngine {
 public:
  explicit SqlEngine(const std::vector<std::string>& schemas) {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) throw std::runtime_error("sqlite open");
    for (const auto& s : schemas) {
      if (s != "main") exec("ATTACH ':memory:' AS \"" + s + "\"");
    }
  }
  ~SqlEngine() { sqlite3_close(db_); }
  /// Makes double-quoted text always an identifier (SQLite otherwise reads an unknown
  /// "name" as a string literal), as in Snowflake and standard SQL.
  void disable_double_quoted_strings() {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  }
  SqlEngine(const SqlEngine&) = delete;
  SqlEngine& operator=(const SqlEngine&) = delete;

  void exec(const std::string& sql) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
    const std::string error = msg != nullptr ? msg : "";
    sqlite3_free(msg);
    if (rc != SQLITE_OK) throw std::runtime_error("fixture SQL failed: " + error);
  }

  /// Runs one statement with text binds: a bind named by digits only ("1", "2", ...) binds
  /// the positional `?` at that index, any other name binds `@name`. Throws
  /// std::runtime_error with SQLite's message on failure.
  SqlResult query(const std::string& sql,
                  const std::vector<std::pair<std::string, std::string>>& binds = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    SqlResult out;
    for (const auto& [name, value] : binds) {
      const bool positional = !name.empty() && name.size() < 6 &&
                              name.find_first_not_of("0123456789") == std::string::npos;
      const int idx =
          positional ? std::stoi(name) : sqlite3_bind_parameter_index(stmt, ("@" + name).c_str());
      if (idx > 0) sqlite3_bind_text(stmt, idx, value.c_str(), -1, SQLITE_TRANSIENT);
    }
    const int n = sqlite3_column_count(stmt);
    for (int i = 0; i < n; ++i) {
      const char* decl = sqlite3_column_decltype(stmt, i);
      out.columns.push_back({sqlite3_column_name(stmt, i), decl != nullptr ? decl : ""});
    }
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> row;
      for (int i = 0; i < n; ++i) {
        if (out.rows.empty()) out.sqlite_types.push_back(sqlite3_column_type(stmt, i));
        const auto* text = sqlite3_column_text(stmt, i);
        if (text == nullptr) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(reinterpret_cast<const char*>(text));
        }
      }
      out.rows.push_back(std::move(row));
    }
    const std::string error = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(error);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace freshguard::testing
