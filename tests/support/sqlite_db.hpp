#pragma once
// Creates real SQLite database files for tests (the connector itself only reads).

#include <filesystem>
#include <stdexcept>
#include <string>

#include <sqlite3.h>

namespace freshguard::testing {

/// Runs `sql` (one or more statements) against the file at `path`, creating it if needed.
inline void sqlite_exec(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open test database");
  }
  char* msg = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  std::string error = msg != nullptr ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("test SQL failed: " + error);
}

}  // namespace freshguard::testing
