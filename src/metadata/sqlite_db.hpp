#pragma once
// Private to the metadata component: RAII owners of SQLite handles for the read-write
// metadata store, a prepared statement with typed binding, and a write transaction. Every
// failure is thrown as MetadataError (transient when the database was busy or locked).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace freshguard::metadata_detail {

struct SqliteCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
/// Owns one connection.
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

/// Throws the MetadataError for return code `rc` of `db`; `what` names the operation.
/// `where` names the database (its path) for the message.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what, std::string_view where);

/// Runs statements without parameters (DDL, pragmas, BEGIN/COMMIT).
void exec_sql(sqlite3* db, const char* sql, std::string_view where);

/// One prepared statement; binds are 1-based. Move-only; finalised on destruction.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql, std::string_view where);
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  /// Runs to the next row: true when there is one, false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::int64_t> opt_int64(int column) const;
  std::optional<double> opt_real(int column) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  sqlite3* db_;
  std::string where_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

/// A write transaction (BEGIN IMMEDIATE: the write lock is taken up front, so two writers
/// queue on the busy timeout instead of deadlocking). Rolled back unless committed.
class WriteTransaction {
 public:
  WriteTransaction(sqlite3* db, std::string_view where);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit();

 private:
  sqlite3* db_;
  std::string where_;
  bool done_ = false;
};

}  // namespace freshguard::metadata_detail
