#include "connectors/duckdb/duckdb_session.hpp"

#include <string_view>

#include <freshguard/core/error.hpp>

#include "connectors/common/database_file.hpp"

namespace freshguard::duckdb {
namespace {

constexpr std::string_view kMemory = ":memory:";
constexpr auto kWatchdogPoll = std::chrono::milliseconds(10);

std::string where(const DuckdbOptions& opts) {
  return "source \"" + opts.source_name + "\"";
}

// Owns a duckdb_config while settings are applied.
struct ConfigOwner {
  duckdb_config config = nullptr;
  ConfigOwner() { duckdb_create_config(&config); }
  ~ConfigOwner() { duckdb_destroy_config(&config); }
  ConfigOwner(const ConfigOwner&) = delete;
  ConfigOwner& operator=(const ConfigOwner&) = delete;
};

void set_option(const DuckdbOptions& opts, duckdb_config config, const char* name,
                const std::string& value) {
  // A setting that does not apply would leave the database less bounded than documented.
  if (duckdb_set_config(config, name, value.c_str()) != DuckDBSuccess) {
    throw ConnectionError("cannot open DuckDB database for " + where(opts) +
                              ": DuckDB refused setting " + name + " = " + value,
                          false);
  }
}

[[noreturn]] void throw_failure(const DuckdbOptions& opts, std::chrono::milliseconds timeout,
                                bool timed_out, const char* error) {
  const std::string detail = error != nullptr ? error : "";
  if (timed_out || detail.rfind("INTERRUPT", 0) == 0) {
    throw TimeoutError("query on " + where(opts) + " exceeded its deadline of " +
                           std::to_string(timeout.count()) + " ms",
                       detail);
  }
  if (detail.rfind("Out of Memory Error", 0) == 0) {
    throw QueryError("query on " + where(opts) + " needed more than its memory limit of " +
                         std::to_string(opts.memory_limit_mb) +
                         " MB; raise the source's memory_limit_mb if such queries are expected",
                     false, detail);
  }
  throw QueryError("query failed on " + where(opts), false, detail);
}

// Arms the watchdog for one statement; disarms it on every path out.
class Armed {
 public:
  Armed(InterruptWatchdog& w, duckdb_connection conn, SteadyTime deadline)
      : w_(w), id_(w.arm(conn, deadline)) {}
  ~Armed() { disarm(); }
  Armed(const Armed&) = delete;
  Armed& operator=(const Armed&) = delete;
  /// True when the watchdog interrupted the statement.
  bool disarm() {
    if (id_ != 0) {
      fired_ = w_.disarm(id_);
      id_ = 0;
    }
    return fired_;
  }

 private:
  InterruptWatchdog& w_;
  std::uint64_t id_;
  bool fired_ = false;
};

}  // namespace

Database open_database(const DuckdbOptions& opts) {
  const bool memory = opts.path == kMemory;
  if (!memory) connectors::check_database_file("DuckDB", opts.source_name, opts.path);
  ConfigOwner owner;
  duckdb_config config = owner.config;
  if (!memory) set_option(opts, config, "access_mode", "READ_ONLY");
  set_option(opts, config, "memory_limit", std::to_string(opts.memory_limit_mb) + "MB");
  set_option(opts, config, "threads", std::to_string(opts.threads));
  // No spilling: an operator past memory_limit fails instead of filling a disk.
  set_option(opts, config, "temp_directory", "");
  set_option(opts, config, "max_temp_directory_size", "0MB");
  set_option(opts, config, "enable_external_access", "false");
  set_option(opts, config, "autoload_known_extensions", "false");
  set_option(opts, config, "autoinstall_known_extensions", "false");
  set_option(opts, config, "allow_community_extensions", "false");
  set_option(opts, config, "allow_persistent_secrets", "false");
  // Last: no statement may SET any of the above back.
  set_option(opts, config, "lock_configuration", "true");
  duckdb_database raw = nullptr;
  char* error = nullptr;
  const auto state = duckdb_open_ext(memory ? nullptr : opts.path.c_str(), &raw, config, &error);
  std::string detail = error != nullptr ? error : "";
  duckdb_free(error);
  if (state != DuckDBSuccess) {
    throw ConnectionError("cannot open DuckDB database for " + where(opts), false, detail);
  }
  return Database(raw);
}

InterruptWatchdog::InterruptWatchdog(const Clock& clock) : clock_(clock) {}

InterruptWatchdog::~InterruptWatchdog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t InterruptWatchdog::arm(duckdb_connection conn, SteadyTime deadline) {
  std::lock_guard lock(mu_);
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  const std::uint64_t id = next_id_++;
  armed_.emplace(id, Entry{conn, deadline});
  cv_.notify_all();
  return id;
}

bool InterruptWatchdog::disarm(std::uint64_t id) {
  std::lock_guard lock(mu_);
  const auto it = armed_.find(id);
  if (it == armed_.end()) return false;
  const bool fired = it->second.fired;
  armed_.erase(it);
  return fired;
}

void InterruptWatchdog::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (armed_.empty()) {
      cv_.wait(lock, [this] { return stop_ || !armed_.empty(); });
      continue;
    }
    const SteadyTime now = clock_.steady_now();
    for (auto& [id, entry] : armed_) {
      // Under mu_, so disarm() cannot return while an interrupt of its entry is under way.
      if (!entry.fired && now >= entry.deadline) {
        duckdb_interrupt(entry.conn);
        entry.fired = true;
      }
    }
    cv_.wait_for(lock, kWatchdogPoll);
  }
}

void execute(duckdb_connection conn, const DuckdbOptions& opts, const Clock& clock,
             std::chrono::milliseconds timeout, InterruptWatchdog& watchdog, const std::string& sql,
             const std::vector<std::string>& binds, Result& out) {
  const SteadyTime deadline = clock.steady_now() + timeout;
  duckdb_prepared_statement raw_stmt = nullptr;
  const auto prepared = duckdb_prepare(conn, sql.c_str(), &raw_stmt);
  Prepared stmt(raw_stmt);
  if (prepared != DuckDBSuccess)
    throw_failure(opts, timeout, false, duckdb_prepare_error(stmt.get()));
  for (size_t i = 0; i < binds.size(); ++i) {
    duckdb_bind_varchar_length(stmt.get(), i + 1, binds[i].data(), binds[i].size());
  }
  duckdb_pending_result raw_pending = nullptr;
  const auto pending_state = duckdb_pending_prepared(stmt.get(), &raw_pending);
  Pending pending(raw_pending);
  if (pending_state != DuckDBSuccess) {
    throw_failure(opts, timeout, false, duckdb_pending_error(pending.get()));
  }
  Armed armed(watchdog, conn, deadline);
  // Drives execution task by task so the deadline is also checked between tasks.
  while (true) {
    const auto state = duckdb_pending_execute_task(pending.get());
    if (state == DUCKDB_PENDING_RESULT_READY) break;
    if (state == DUCKDB_PENDING_ERROR) {
      const bool fired = armed.disarm() || clock.steady_now() >= deadline;
      throw_failure(opts, timeout, fired, duckdb_pending_error(pending.get()));
    }
    if (clock.steady_now() >= deadline) {
      // Interrupt, then let the executor wind down so no task outlives the statement.
      duckdb_interrupt(conn);
      Result discarded;
      duckdb_execute_pending(pending.get(), discarded.out());
      throw_failure(opts, timeout, true, nullptr);
    }
  }
  const bool failed = duckdb_execute_pending(pending.get(), out.out()) != DuckDBSuccess;
  const bool fired = armed.disarm();
  if (failed) throw_failure(opts, timeout, fired, duckdb_result_error(&out.get()));
  // An interrupt that landed after the result was complete may still be pending on the
  // connection: report the timeout so the connection is discarded, not reused.
  if (fired) throw_failure(opts, timeout, true, nullptr);
}

}  // namespace freshguard::duckdb
