#pragma once
// One MySQL / MariaDB connection driven through Connector/C's non-blocking API, so that
// every wait is bounded by a deadline that we enforce (poll() on the socket), never by the
// server.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/core/clock.hpp>
#include <freshguard/net/tls.hpp>

#include "connectors/mysql/mysql_handles.hpp"

namespace freshguard::mysql {

/// When a call must be over, and its budget (for messages).
struct Deadline {
  SteadyTime at;
  std::chrono::milliseconds budget;

  static Deadline after(const Clock& clock, std::chrono::milliseconds budget) {
    return Deadline{clock.steady_now() + budget, budget};
  }
};

/// Which server we are talking to: the statement time limit differs.
enum class Flavour { kMariadb, kMysql };

/// `sql` with MySQL's MAX_EXECUTION_TIME(`limit`) hint after its leading `SELECT ` on
/// MySQL; `sql` unchanged on MariaDB (whose sessions have max_statement_time instead) and
/// for statements that are not SELECTs.
std::string with_time_limit(Flavour flavour, std::chrono::milliseconds limit, std::string_view sql);

/// Everything needed to open sessions to one source. Immutable once sessions exist; must
/// outlive them.
struct SessionConfig {
  std::string source;  ///< source name, for messages
  std::string host;
  unsigned port = 3306;
  std::string database;  ///< empty: none
  std::string user;
  std::string password;  ///< secret
  net::SslMode ssl = net::SslMode::kVerifyFull;
  std::string ssl_ca;  ///< CA file for verification; empty: none
  /// Server-side limit of every statement.
  std::chrono::milliseconds statement_timeout{10000};
  /// After a client deadline passes, the budget of the KILL QUERY connection and of the
  /// wait for the server's confirmation.
  std::chrono::milliseconds cancel_grace{1000};
  const Clock* clock = &SystemClock::instance();
};

/// One column of a result: its name and Connector/C's description of its type.
struct Column {
  std::string name;
  enum_field_types type = MYSQL_TYPE_NULL;
  unsigned charset = 0;  ///< 63 = binary
  unsigned flags = 0;
};

/// A result read in full: every value as text (NULL as nullopt).
struct Rows {
  using Row = std::vector<std::optional<std::string>>;
  std::vector<Column> columns;
  std::vector<Row> rows;
};

/// An open connection. Not thread-safe: one thread uses it at a time (the pool sees to it).
class Session {
 public:
  /// A worker runs the connector's queries; a killer only sends KILL QUERY for a worker
  /// (it gets no session settings and never kills in turn).
  enum class Role { kWorker, kKiller };

  /// Connects (TCP, TLS per `config.ssl`) with the non-blocking API, giving up at `deadline`
  /// (TimeoutError). A refused, unauthenticated or unverifiable connection throws
  /// ConnectionError (see mysql_errors.hpp). A worker session then gets
  /// time_zone '+00:00', read-only transactions and (MariaDB) max_statement_time. Host-name
  /// resolution happens inside Connector/C before the first wait and is not bounded by `deadline`.
  static std::unique_ptr<Session> open(const SessionConfig& config, const Deadline& deadline,
                                       Role role = Role::kWorker);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Runs `sql` as a prepared statement (kept for reuse on this session) with `params`
  /// bound as strings, and reads its whole result. On MySQL a SELECT gets a
  /// MAX_EXECUTION_TIME hint. A server error throws per its error number; a broken
  /// connection throws ConnectionError. When `deadline` passes first, the statement is
  /// killed on the server (KILL QUERY over a new connection, bounded by cancel_grace), the
  /// session is marked broken, and TimeoutError is thrown.
  Rows query(const std::string& sql, const std::vector<std::string>& params,
             const Deadline& deadline);
  /// Runs a statement without parameters or result through the text protocol (SET, KILL).
  void execute(const std::string& sql, const Deadline& deadline);
  /// COM_PING under `deadline`; throws like query.
  void ping(const Deadline& deadline);

  /// True until an error broke the connection (lost, timed out, killed).
  bool usable() const noexcept { return !broken_; }
  /// The server's id of this connection (what KILL QUERY names).
  unsigned long thread_id() const noexcept { return thread_id_; }
  Flavour flavour() const noexcept { return flavour_; }
  /// mysql::with_time_limit for this session's server and statement_timeout.
  std::string with_time_limit(std::string_view sql) const;
  MYSQL* raw() const noexcept { return conn_.get(); }

 private:
  // Continues a suspended non-blocking call with the events that are ready; returns the
  // events it waits for next, 0 when done.
  using Cont = std::function<int(int)>;

  Session(const SessionConfig& config, ConnHandle conn, Role role);
  void connect(const Deadline& deadline);
  void setup(const Deadline& deadline);
  // Reads the whole result of an executed statement.
  Rows read_result(MYSQL_STMT* stmt, const std::string& sql, const Deadline& deadline);
  // The statement for `sql`, prepared on first use.
  MYSQL_STMT* prepared(const std::string& sql, const Deadline& deadline);
  // Runs a call that returned `status` to completion under `deadline`, or kills it and
  // throws TimeoutError.
  void drive(int status, const Cont& cont, const Deadline& deadline);
  [[noreturn]] void kill_and_throw(int status, const Cont& cont, const Deadline& deadline);
  // Sends KILL QUERY for this session over a new killer session; true when the server
  // accepted it before `until`.
  bool kill_query(SteadyTime until) const;
  // Shuts the socket down and lets the suspended call fail; the session is broken.
  void abandon(int status, const Cont& cont) noexcept;
  [[noreturn]] void fail();
  [[noreturn]] void fail(MYSQL_STMT* stmt, const std::string& sql);
  // Throws the error for `err`; an error that poisons the connection marks it broken.
  [[noreturn]] void raise(unsigned err, std::string_view sqlstate, std::string detail);

  const SessionConfig* config_;
  ConnHandle conn_;
  std::map<std::string, StmtHandle, std::less<>> statements_;  // destroyed before conn_
  Role role_;
  unsigned long thread_id_ = 0;
  Flavour flavour_ = Flavour::kMariadb;
  bool broken_ = false;
};

}  // namespace freshguard::mysql
