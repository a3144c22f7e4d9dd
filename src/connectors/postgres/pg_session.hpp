#pragma once
// One PostgreSQL connection driven through libpq's asynchronous API, so that every wait is
// bounded by a deadline that we enforce (poll() on the socket), never by the server.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <freshguard/core/clock.hpp>

#include "connectors/postgres/pg_handles.hpp"

namespace freshguard::pg {

/// When a call must be over, and its budget (for messages).
struct Deadline {
  SteadyTime at;
  std::chrono::milliseconds budget;

  static Deadline after(const Clock& clock, std::chrono::milliseconds budget) {
    return Deadline{clock.steady_now() + budget, budget};
  }
};

/// Everything needed to open sessions to one source. Immutable once sessions exist; must
/// outlive them.
struct SessionConfig {
  std::string source;  ///< source name, for messages
  /// libpq connection keywords and values (host, port, dbname, user, password, sslmode, ...).
  std::vector<std::pair<std::string, std::string>> params;
  /// After a client deadline passes, how long to wait for the server to confirm the cancel.
  std::chrono::milliseconds cancel_grace{1000};
  const Clock* clock = &SystemClock::instance();
};

/// An open connection. Not thread-safe: one thread uses it at a time (the pool sees to it).
class Session {
 public:
  /// Connects with PQconnectStartParams + PQconnectPoll, waiting on the socket with poll()
  /// and giving up at `deadline` (TimeoutError). A refused, unauthenticated or unverifiable
  /// connection throws ConnectionError (see pg_errors.hpp). Host-name resolution happens
  /// inside libpq before the first poll and is not bounded by `deadline`.
  static std::unique_ptr<Session> open(const SessionConfig& config, const Deadline& deadline);

  /// Runs `sql` with `params` bound as text parameters ($1, $2, ...) and returns its result.
  /// A server error throws per its SQLSTATE; a broken connection throws ConnectionError.
  /// When `deadline` passes first, the query is cancelled on the server (PQcancel, run on a
  /// helper thread so a dead server cannot block us), the caller waits at most
  /// `cancel_grace` for the server to confirm, and TimeoutError is thrown. After any error
  /// that poisons the connection the session must be discarded.
  ResultHandle exec(const std::string& sql, const std::vector<std::string>& params,
                    const Deadline& deadline);

  /// True when the connection is open and not inside a transaction or a query.
  bool usable() const noexcept;
  /// The server process serving this session.
  int backend_pid() const noexcept;
  /// `"name"` quoted by libpq (PQescapeIdentifier), which knows the session's encoding.
  std::string escape_identifier(std::string_view name) const;
  PGconn* raw() const noexcept { return conn_.get(); }

 private:
  Session(const SessionConfig& config, ConnHandle conn)
      : config_(&config), conn_(std::move(conn)) {}
  [[noreturn]] void cancel_and_throw(const Deadline& deadline);
  [[noreturn]] void fail(const PGresult* res);
  bool await(bool read, bool write, SteadyTime until) const;

  const SessionConfig* config_;
  ConnHandle conn_;
};

}  // namespace freshguard::pg
