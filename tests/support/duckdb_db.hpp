#pragma once
// Creates real DuckDB database files for tests (the connector itself only reads).

#include <filesystem>
#include <stdexcept>
#include <string>

#include <duckdb.h>

namespace freshguard::testing {

/// Runs `sql` (one or more statements) against the DuckDB file at `path`, creating it.
inline void duckdb_exec(const std::filesystem::path& path, const std::string& sql) {
  duckdb_database db = nullptr;
  if (duckdb_open(path.c_str(), &db) != DuckDBSuccess) {
    throw std::runtime_error("cannot open test DuckDB database");
  }
  duckdb_connection con = nullptr;
  duckdb_connect(db, &con);
  duckdb_result res;
  const auto state = duckdb_query(con, sql.c_str(), &res);
  std::string error = state == DuckDBSuccess ? "" : duckdb_result_error(&res);
  duckdb_destroy_result(&res);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  if (state != DuckDBSuccess) throw std::runtime_error("test SQL failed: " + error);
}

}  // namespace freshguard::testing
