#include "metadata/sqlite_db.hpp"

#include <freshguard/core/error.hpp>

namespace freshguard::metadata_detail {

void throw_sqlite(sqlite3* db, int rc, std::string_view what, std::string_view where) {
  const std::string detail =
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  const std::string subject = "metadata database " + std::string(where);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw MetadataError(subject + " is locked by another process (" + std::string(what) + ")",
                          true, detail);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      throw MetadataError(subject + " is not a usable SQLite database", false, detail);
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      throw MetadataError(
          subject + " cannot be written (" + std::string(what) + ": " + sqlite3_errstr(rc) + ")",
          false, detail);
    default:
      throw MetadataError(subject + ": " + std::string(what) + " failed", false, detail);
  }
}

void exec_sql(sqlite3* db, const char* sql, std::string_view where) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db, rc, "statement", where);
}

Statement::Statement(sqlite3* db, std::string_view sql, std::string_view where)
    : db_(db), where_(where) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare", where_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind", where_);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_.get(), index, value);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind", where_);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind", where_);
  return *this;
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind", where_);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite(db_, rc, "step", where_);
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(stmt_.get(), column);
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_.get(), column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

std::optional<std::int64_t> Statement::opt_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::optional<double> Statement::opt_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}

WriteTransaction::WriteTransaction(sqlite3* db, std::string_view where) : db_(db), where_(where) {
  exec_sql(db_, "BEGIN IMMEDIATE", where_);
}

WriteTransaction::~WriteTransaction() {
  if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTransaction::commit() {
  exec_sql(db_, "COMMIT", where_);
  done_ = true;
}

}  // namespace freshguard::metadata_detail
