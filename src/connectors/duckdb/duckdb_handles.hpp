#pragma once
// RAII owners of DuckDB C API handles, private to the DuckDB connector.

#include <memory>

#include <duckdb.h>

namespace freshguard::duckdb {

struct DatabaseCloser {
  void operator()(duckdb_database db) const noexcept { duckdb_close(&db); }
};
struct ConnectionCloser {
  void operator()(duckdb_connection c) const noexcept { duckdb_disconnect(&c); }
};
struct PreparedCloser {
  void operator()(duckdb_prepared_statement p) const noexcept { duckdb_destroy_prepare(&p); }
};
struct PendingCloser {
  void operator()(duckdb_pending_result p) const noexcept { duckdb_destroy_pending(&p); }
};
struct ChunkCloser {
  void operator()(duckdb_data_chunk c) const noexcept { duckdb_destroy_data_chunk(&c); }
};

// The C API's handles are pointers to opaque structs, so unique_ptr can own them directly.
using Database = std::unique_ptr<std::remove_pointer_t<duckdb_database>, DatabaseCloser>;
using Connection = std::unique_ptr<std::remove_pointer_t<duckdb_connection>, ConnectionCloser>;
using Prepared = std::unique_ptr<std::remove_pointer_t<duckdb_prepared_statement>, PreparedCloser>;
using Pending = std::unique_ptr<std::remove_pointer_t<duckdb_pending_result>, PendingCloser>;
using Chunk = std::unique_ptr<std::remove_pointer_t<duckdb_data_chunk>, ChunkCloser>;

/// Owns a materialised result (a struct, not a pointer, in the C API).
class Result {
 public:
  Result() = default;
  ~Result() {
    if (valid_) duckdb_destroy_result(&res_);
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  duckdb_result* out() {
    valid_ = true;
    return &res_;
  }
  duckdb_result& get() { return res_; }

 private:
  duckdb_result res_{};
  bool valid_ = false;
};

}  // namespace freshguard::duckdb
