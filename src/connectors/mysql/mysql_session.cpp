#include "connectors/mysql/mysql_session.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <freshguard/core/error.hpp>

#include "connectors/mysql/mysql_errors.hpp"

namespace freshguard::mysql {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Longest single wait: the injected clock is re-read at least this often.
constexpr milliseconds kPollSlice{50};
// Prepared statements kept per session; the cache is emptied when it would grow past this.
constexpr std::size_t kMaxStatements = 32;
// After the socket is shut down, a suspended call fails within a few steps; this bounds it.
constexpr int kDrainSteps = 64;
constexpr int kSocketEvents = MYSQL_WAIT_READ | MYSQL_WAIT_WRITE | MYSQL_WAIT_EXCEPT;

std::string on(const SessionConfig& config) {
  return "source \"" + config.source + "\"";
}

short poll_events(int status) {
  return static_cast<short>(((status & MYSQL_WAIT_READ) != 0 ? POLLIN : 0) |
                            ((status & MYSQL_WAIT_WRITE) != 0 ? POLLOUT : 0) |
                            ((status & MYSQL_WAIT_EXCEPT) != 0 ? POLLPRI : 0));
}

// The events to report for `revents`; errors and hang-ups count as ready so that the
// library meets them.
int ready_events(short revents, int status) {
  int ready = 0;
  if ((revents & POLLIN) != 0) ready |= MYSQL_WAIT_READ;
  if ((revents & POLLOUT) != 0) ready |= MYSQL_WAIT_WRITE;
  if ((revents & POLLPRI) != 0) ready |= MYSQL_WAIT_EXCEPT;
  if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) ready |= status & kSocketEvents;
  return ready;
}

// Waits for the socket events a suspended call waits for, until `until`. Returns the ready
// events, or 0 when `until` passed first. The library's own timer (MYSQL_WAIT_TIMEOUT) is
// never earlier than `until`: the only one we set is the connect timeout, rounded up from
// the connect deadline.
int wait_for(MYSQL* m, int status, SteadyTime until, const Clock& clock) {
  pollfd p{};
  p.fd = static_cast<int>(mysql_get_socket(m));
  p.events = poll_events(status);
  for (;;) {
    const auto left = duration_cast<milliseconds>(until - clock.steady_now());
    const auto slice = std::clamp(left, milliseconds(0), kPollSlice);
    p.revents = 0;
    const int rc = ::poll(&p, p.fd >= 0 ? 1 : 0, static_cast<int>(slice.count()));
    if (rc > 0) {
      if (const int ready = ready_events(p.revents, status); ready != 0) return ready;
    }
    if (rc < 0 && errno != EINTR) return status | MYSQL_WAIT_READ;  // let the library fail
    if (clock.steady_now() >= until) return 0;
  }
}

// Drives a suspended call until it completes (0) or `until` passes (the events it still
// waits for).
int pump(MYSQL* m, int status, const std::function<int(int)>& cont, SteadyTime until,
         const Clock& clock) {
  while (status != 0) {
    const int ready = wait_for(m, status, until, clock);
    if (ready == 0) return status;
    status = cont(ready);
  }
  return 0;
}

// "10.000": max_statement_time is in seconds.
std::string seconds_text(milliseconds ms) {
  const auto count = ms.count();
  std::string frac = std::to_string(count % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  return std::to_string(count / 1000) + "." + frac;
}

void set_options(MYSQL* m, const SessionConfig& c) {
  const bool verify = c.ssl == net::SslMode::kVerifyCa || c.ssl == net::SslMode::kVerifyFull;
  if (verify && c.ssl_ca.empty()) {
    // Never verify against nothing: that would silently accept any certificate.
    throw ConnectionError("cannot connect to " + on(c) +
                              ": TLS verification needs a CA "
                              "certificate (ssl_root_cert), and the system CA bundle is missing",
                          false);
  }
  const unsigned protocol = MYSQL_PROTOCOL_TCP;
  const unsigned local_infile = 0;  // a server must never be able to ask for a local file
  const my_bool enable = 1;
  bool ok = mysql_options(m, MYSQL_OPT_NONBLOCK, nullptr) == 0 &&
            mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol) == 0 &&
            mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &local_infile) == 0 &&
            mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") == 0 &&
            mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "freshguard") == 0;
  if (c.ssl != net::SslMode::kDisable) {
    ok = ok && mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &enable) == 0;
  }
  if (c.ssl != net::SslMode::kDisable && !c.ssl_ca.empty()) {
    ok = ok && mysql_options(m, MYSQL_OPT_SSL_CA, c.ssl_ca.c_str()) == 0;
  }
  if (c.ssl == net::SslMode::kVerifyFull) {
    ok = ok && mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &enable) == 0;
  }
  if (!ok)
    throw ConnectionError("cannot connect to " + on(c) +
                              ": the client library refused "
                              "the connection options",
                          false);
}

}  // namespace

std::string with_time_limit(Flavour flavour, milliseconds limit, std::string_view sql) {
  constexpr std::string_view kSelect = "SELECT ";
  if (flavour != Flavour::kMysql || sql.substr(0, kSelect.size()) != kSelect) {
    return std::string(sql);
  }
  return "SELECT /*+ MAX_EXECUTION_TIME(" + std::to_string(limit.count()) + ") */ " +
         std::string(sql.substr(kSelect.size()));
}

Session::Session(const SessionConfig& config, ConnHandle conn, Role role)
    : config_(&config), conn_(std::move(conn)), role_(role) {}

Session::~Session() {
  // A broken connection may still be waited on by the server or the network: shut it down
  // first, so that closing the statements and the connection never blocks.
  if (broken_) mariadb_cancel(conn_.get());
}

std::unique_ptr<Session> Session::open(const SessionConfig& config, const Deadline& deadline,
                                       Role role) {
  ConnHandle conn(mysql_init(nullptr));
  if (!conn) throw ConnectionError("cannot connect to " + on(config) + ": out of memory");
  set_options(conn.get(), config);
  std::unique_ptr<Session> s(new Session(config, std::move(conn), role));
  s->connect(deadline);
  if (role == Role::kWorker) s->setup(deadline);
  return s;
}

void Session::connect(const Deadline& deadline) {
  MYSQL* m = conn_.get();
  const SessionConfig& c = *config_;
  // Connector/C 3.3 performs the TLS handshake with blocking reads, even in non-blocking
  // mode; its own connect timeout (whole seconds, rounded up from what is left of ours) is
  // what bounds that part.
  const auto left = std::chrono::ceil<std::chrono::seconds>(deadline.at - c.clock->steady_now());
  const unsigned connect_seconds = static_cast<unsigned>(std::max<std::int64_t>(left.count(), 1));
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_seconds);
  MYSQL* ret = nullptr;
  const std::function<int(int)> cont = [&](int ready) {
    return mysql_real_connect_cont(&ret, m, ready);
  };
  int status = mysql_real_connect_start(&ret, m, c.host.c_str(), c.user.c_str(), c.password.c_str(),
                                        c.database.empty() ? nullptr : c.database.c_str(), c.port,
                                        nullptr, 0);
  status = pump(m, status, cont, deadline.at, *c.clock);
  if (status != 0) {
    abandon(status, cont);
    throw TimeoutError("timed out connecting to " + on(c) + " after " +
                       std::to_string(deadline.budget.count()) + " ms");
  }
  if (ret == nullptr) {
    broken_ = true;
    if (c.clock->steady_now() >= deadline.at) {  // the library's own connect timeout hit
      throw TimeoutError("timed out connecting to " + on(c) + " after " +
                             std::to_string(deadline.budget.count()) + " ms",
                         mysql_error(m));
    }
    throw_error(c.source, mysql_errno(m), mysql_sqlstate(m), mysql_error(m), true);
  }
  // Connector/C 3.3 leaves the socket in blocking mode after connecting; with TLS, its
  // non-blocking reads would then block in SSL_read. Every later wait is ours to bound.
  const int fd = static_cast<int>(mysql_get_socket(m));
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    broken_ = true;
    throw ConnectionError("cannot connect to " + on(c) +
                          ": the socket cannot be made "
                          "non-blocking");
  }
  thread_id_ = mysql_thread_id(m);
  const char* info = mysql_get_server_info(m);
  flavour_ = info != nullptr && std::strstr(info, "MariaDB") != nullptr ? Flavour::kMariadb
                                                                        : Flavour::kMysql;
}

void Session::setup(const Deadline& deadline) {
  // TIMESTAMP values come back in UTC; nothing this session starts can write; a backslash in
  // a string literal is a plain character (so no literal can end where the renderer did not
  // end it, whatever the server's default sql_mode).
  std::string set =
      "SET SESSION time_zone = '+00:00', SESSION sql_mode = CONCAT_WS(',', "
      "NULLIF(@@SESSION.sql_mode, ''), 'NO_BACKSLASH_ESCAPES')";
  if (flavour_ == Flavour::kMariadb) {
    set += ", SESSION max_statement_time = " + seconds_text(config_->statement_timeout);
  }
  execute(set, deadline);
  execute("SET SESSION TRANSACTION READ ONLY", deadline);
}

std::string Session::with_time_limit(std::string_view sql) const {
  return mysql::with_time_limit(flavour_, config_->statement_timeout, sql);
}

void Session::execute(const std::string& sql, const Deadline& deadline) {
  MYSQL* m = conn_.get();
  int ret = 0;
  const int status = mysql_real_query_start(&ret, m, sql.data(), sql.size());
  drive(
      status, [&](int ready) { return mysql_real_query_cont(&ret, m, ready); }, deadline);
  if (ret != 0) fail();
}

void Session::ping(const Deadline& deadline) {
  MYSQL* m = conn_.get();
  int ret = 0;
  const int status = mysql_ping_start(&ret, m);
  drive(
      status, [&](int ready) { return mysql_ping_cont(&ret, m, ready); }, deadline);
  if (ret != 0) fail();
}

void Session::drive(int status, const std::function<int(int)>& cont, const Deadline& deadline) {
  status = pump(conn_.get(), status, cont, deadline.at, *config_->clock);
  if (status != 0) kill_and_throw(status, cont, deadline);
}

bool Session::kill_query(SteadyTime until) const {
  const Clock& clock = *config_->clock;
  const Deadline deadline{until, duration_cast<milliseconds>(until - clock.steady_now())};
  try {
    const auto killer = open(*config_, deadline, Role::kKiller);
    killer->execute("KILL QUERY " + std::to_string(thread_id_), deadline);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void Session::kill_and_throw(int status, const std::function<int(int)>& cont,
                             const Deadline& deadline) {
  broken_ = true;
  const Clock& clock = *config_->clock;
  const SteadyTime grace_end = clock.steady_now() + config_->cancel_grace;
  // A killer connection never kills in turn: its own deadline is the grace period.
  const bool delivered = role_ == Role::kWorker && kill_query(grace_end);
  // The server answers the killed statement with error 1317; wait for it so that nothing
  // is still running when the caller hears about the timeout.
  if (delivered) status = pump(conn_.get(), status, cont, grace_end, clock);
  const bool confirmed = delivered && status == 0;
  if (!confirmed) abandon(status, cont);
  throw TimeoutError("query on " + on(*config_) + " did not finish within its deadline of " +
                         std::to_string(deadline.budget.count()) + " ms and was stopped",
                     confirmed   ? "killed on the server"
                     : delivered ? "KILL QUERY sent; the server did not confirm in time"
                                 : "KILL QUERY could not be delivered in time");
}

void Session::abandon(int status, const std::function<int(int)>& cont) noexcept {
  broken_ = true;
  MYSQL* m = conn_.get();
  const int fd = static_cast<int>(mysql_get_socket(m));
  mariadb_cancel(m);
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  // Every read and write now fails at once: let the suspended call finish with an error so
  // that the library frees what it holds.
  for (int i = 0; status != 0 && i < kDrainSteps; ++i)
    status = cont(status);
}

void Session::fail() {
  MYSQL* m = conn_.get();
  raise(mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
}

void Session::fail(MYSQL_STMT* stmt, const std::string& sql) {
  const unsigned err = mysql_stmt_errno(stmt);
  const std::string state = mysql_stmt_sqlstate(stmt);
  std::string detail = mysql_stmt_error(stmt);
  statements_.erase(sql);  // may close `stmt`
  raise(err, state, std::move(detail));
}

void Session::raise(unsigned err, std::string_view sqlstate, std::string detail) {
  try {
    throw_error(config_->source, err, sqlstate, std::move(detail), false);
  } catch (const Error& e) {
    if (e.connection_poisoned()) broken_ = true;
    throw;
  }
}

MYSQL_STMT* Session::prepared(const std::string& sql, const Deadline& deadline) {
  if (const auto it = statements_.find(sql); it != statements_.end()) return it->second.get();
  if (statements_.size() >= kMaxStatements) statements_.clear();
  StmtHandle stmt(mysql_stmt_init(conn_.get()));
  if (!stmt) fail();
  MYSQL_STMT* s = stmt.get();
  int ret = 0;
  const int status = mysql_stmt_prepare_start(&ret, s, sql.data(), sql.size());
  drive(
      status, [&](int ready) { return mysql_stmt_prepare_cont(&ret, s, ready); }, deadline);
  if (ret != 0) {
    raise(mysql_stmt_errno(s), mysql_stmt_sqlstate(s), mysql_stmt_error(s));
  }
  return statements_.emplace(sql, std::move(stmt)).first->second.get();
}

}  // namespace freshguard::mysql
