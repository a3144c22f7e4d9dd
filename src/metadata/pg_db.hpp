#pragma once
// Private to the metadata component: RAII owners of libpq handles for the PostgreSQL store,
// bound parameters, a result reader and a transaction. Every failure is thrown as
// MetadataError, transient when the server says a retry may succeed (lost connection,
// serialization failure, deadlock, overload, statement timeout). Not thread-safe: the store
// serialises access to its connection.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

namespace freshguard::metadata_detail {

struct PgConnCloser {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct PgResultClearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
/// Owns one connection.
using PgConn = std::unique_ptr<PGconn, PgConnCloser>;
/// Owns one result.
using PgResultHandle = std::unique_ptr<PGresult, PgResultClearer>;

/// Query parameters, sent in text format ($1, $2, ... in order of add).
class PgParams {
 public:
  PgParams& add(std::string_view text);
  /// A C string is text (without this overload it would convert to bool).
  PgParams& add(const char* text) { return add(std::string_view(text)); }
  PgParams& add(std::int64_t value);
  PgParams& add(double value);
  PgParams& add(bool value);
  PgParams& add_null();
  template <typename T>
  PgParams& add(const std::optional<T>& value) {
    return value ? add(*value) : add_null();
  }
  const std::vector<std::optional<std::string>>& values() const noexcept { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

/// The rows of a query result (text format).
class PgRows {
 public:
  explicit PgRows(PgResultHandle res) : res_(std::move(res)) {}
  int size() const;
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  double real(int row, int col) const;
  bool boolean(int row, int col) const;
  std::optional<std::int64_t> opt_int64(int row, int col) const;
  std::optional<double> opt_real(int row, int col) const;
  /// Rows affected by a command (DELETE, INSERT).
  std::int64_t affected() const;

 private:
  PgResultHandle res_;
};

/// Throws the MetadataError for a failed call: `res` may be null (the call itself failed).
[[noreturn]] void throw_pg(PGconn* conn, const PGresult* res, std::string_view what);

/// Runs one statement with bound parameters; throws MetadataError unless it succeeded.
PgRows pg_exec(PGconn* conn, const char* sql, const PgParams& params = {});
/// Runs statements without parameters (migrations, BEGIN/COMMIT).
void pg_exec_script(PGconn* conn, const char* sql);

/// A transaction, rolled back unless committed.
class PgTransaction {
 public:
  explicit PgTransaction(PGconn* conn);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit();

 private:
  PGconn* conn_;
  bool done_ = false;
};

}  // namespace freshguard::metadata_detail
