#pragma once
// RAII owners of SQLite handles, private to the SQLite connector.

#include <memory>

#include <sqlite3.h>

namespace freshguard::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};

/// Owns one database connection.
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
/// Owns one prepared statement.
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

}  // namespace freshguard::sqlite
