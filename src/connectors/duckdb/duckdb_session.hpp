#pragma once
// One DuckDB database and its statements for the DuckDB connector: opening the database
// with the source's resource limits and safe settings, and running one statement under a
// deadline that interrupts it. Private to the connector (and its tests).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/core/clock.hpp>

#include "connectors/duckdb/duckdb_handles.hpp"

namespace freshguard::duckdb {

/// Opens `opts.path` (read-only; a file must exist and be a regular file, checked with
/// stat(2) before DuckDB opens it, so a FIFO or device fails at once) or an in-memory
/// database for ":memory:". The database is bounded and closed off: memory_limit
/// (opts.memory_limit_mb, for DuckDB's buffer-managed operators: hash tables, sorts,
/// aggregates), `threads` (opts.threads), no spilling to a temp directory, no external
/// access (files, network), no extension autoload/autoinstall, no community extensions,
/// no persistent secrets, and the configuration locked so no statement can SET it back.
/// Throws ConnectionError. Thread-safe.
Database open_database(const DuckdbOptions& opts);

/// Interrupts statements whose deadline has passed, from a thread of its own, so a
/// statement stuck inside one long DuckDB task is interrupted too (the task loop of
/// execute() only looks at the deadline between tasks). The thread starts at the first
/// arm() and sleeps while nothing is armed; it polls `clock` every 10 ms otherwise.
/// Thread-safe. `clock` must outlive it.
class InterruptWatchdog {
 public:
  explicit InterruptWatchdog(const Clock& clock);
  ~InterruptWatchdog();
  InterruptWatchdog(const InterruptWatchdog&) = delete;
  InterruptWatchdog& operator=(const InterruptWatchdog&) = delete;

  /// From now until disarm(id), calls duckdb_interrupt(conn) once `deadline` has passed.
  std::uint64_t arm(duckdb_connection conn, SteadyTime deadline);
  /// Stops watching `id`; true when it was interrupted. No interrupt of `id` happens after
  /// this returns, so the connection can be reused.
  bool disarm(std::uint64_t id);

 private:
  struct Entry {
    duckdb_connection conn;
    SteadyTime deadline;
    bool fired = false;
  };
  void loop();

  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::uint64_t, Entry> armed_;
  std::uint64_t next_id_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

/// Runs `sql` on `conn` with `binds` bound as VARCHAR ($1, $2, ...) into `out`, through
/// the pending-result API under a deadline of `timeout` on `clock`: past it the statement
/// is interrupted (between tasks here, inside a task by `watchdog`) and TimeoutError is
/// thrown. Throws QueryError when DuckDB rejects the statement or it needs more memory than
/// opts.memory_limit_mb (the message names the key to raise). `conn` must not be used by
/// another thread meanwhile.
///
/// Limitation of DuckDB 1.4: a single scalar expression (`repeat('x', 2000000000)`,
/// `list_reduce(range(100000000), ...)`) neither checks for interrupts nor allocates through
/// the buffer manager, so it runs to completion, unbounded by memory_limit; only what can
/// reach the engine bounds it (see docs/SECURITY_HARDENING.md).
void execute(duckdb_connection conn, const DuckdbOptions& opts, const Clock& clock,
             std::chrono::milliseconds timeout, InterruptWatchdog& watchdog, const std::string& sql,
             const std::vector<std::string>& binds, Result& out);

}  // namespace freshguard::duckdb
