#pragma once
// RAII owners of MariaDB Connector/C handles, private to the MySQL connector. Each is
// move-only (a std::unique_ptr with a deleter that cannot throw); none is thread-safe: a
// handle is used by one thread at a time.

#include <memory>

#include <mysql.h>

namespace freshguard::mysql {

struct ConnCloser {
  void operator()(MYSQL* conn) const noexcept { mysql_close(conn); }
};
struct ResultFreer {
  void operator()(MYSQL_RES* res) const noexcept { mysql_free_result(res); }
};
struct StmtCloser {
  void operator()(MYSQL_STMT* stmt) const noexcept { mysql_stmt_close(stmt); }
};

/// Owns one connection handle (mysql_close sends COM_QUIT when connected, then frees it).
using ConnHandle = std::unique_ptr<MYSQL, ConnCloser>;
/// Owns one result or result-metadata handle.
using ResultHandle = std::unique_ptr<MYSQL_RES, ResultFreer>;
/// Owns one prepared statement (mysql_stmt_close deallocates it on the server). Must be
/// destroyed before the connection it was prepared on.
using StmtHandle = std::unique_ptr<MYSQL_STMT, StmtCloser>;

}  // namespace freshguard::mysql
