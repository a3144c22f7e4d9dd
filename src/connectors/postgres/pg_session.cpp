#include "connectors/postgres/pg_session.hpp"

#include <algorithm>
#include <cerrno>
#include <future>
#include <system_error>
#include <thread>

#include <poll.h>

#include <freshguard/core/error.hpp>

#include "connectors/postgres/pg_errors.hpp"

namespace freshguard::pg {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Longest single wait: the injected clock is re-read at least this often.
constexpr milliseconds kPollSlice{50};
constexpr milliseconds kCancelSlice{5};

std::string on(const SessionConfig& config) {
  return "source \"" + config.source + "\"";
}

// Waits until `fd` is ready for what is asked or `until` passes (false). Socket errors count
// as ready so that libpq reports them.
bool wait_socket(int fd, bool read, bool write, SteadyTime until, const Clock& clock) {
  if (fd < 0) return true;
  pollfd p{};
  p.fd = fd;
  p.events = static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0));
  for (;;) {
    const auto left = duration_cast<milliseconds>(until - clock.steady_now());
    const auto slice = std::clamp(left, milliseconds(0), kPollSlice);
    p.revents = 0;
    const int rc = ::poll(&p, 1, static_cast<int>(slice.count()));
    if (rc > 0 || (rc < 0 && errno != EINTR)) return true;
    if (clock.steady_now() >= until) return false;
  }
}

// Asks the server to cancel the running query. PQcancel opens a new connection and blocks,
// so it runs on a detached helper thread that owns everything it touches; we wait for it
// until `until` at most. Returns true when the server confirmed the request in time.
bool request_cancel(PGconn* conn, SteadyTime until, const Clock& clock) {
  CancelHandle cancel(PQgetCancel(conn));
  if (!cancel) return false;
  auto done = std::make_shared<std::promise<bool>>();
  auto confirmed = done->get_future();
  try {
    std::thread([token = std::move(cancel), done]() {
      char errbuf[256];
      done->set_value(PQcancel(token.get(), errbuf, sizeof errbuf) == 1);
    }).detach();
  } catch (const std::system_error&) {
    return false;
  }
  while (confirmed.wait_for(kCancelSlice) != std::future_status::ready) {
    if (clock.steady_now() >= until) return false;
  }
  return confirmed.get();
}

void ignore_notice(void*, const char*) {}

}  // namespace

std::unique_ptr<Session> Session::open(const SessionConfig& config, const Deadline& deadline) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : config.params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  ConnHandle conn(PQconnectStartParams(keys.data(), values.data(), 0));
  if (!conn) throw ConnectionError("cannot connect to " + on(config) + ": out of memory");
  // Verbose messages carry the SQLSTATE of a server's refusal (e.g. 28P01).
  PQsetErrorVerbosity(conn.get(), PQERRORS_VERBOSE);
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  if (PQstatus(conn.get()) == CONNECTION_BAD) state = PGRES_POLLING_FAILED;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED)
      throw_connect_error(config.source, PQerrorMessage(conn.get()));
    if (!wait_socket(PQsocket(conn.get()), state == PGRES_POLLING_READING,
                     state == PGRES_POLLING_WRITING, deadline.at, *config.clock)) {
      throw TimeoutError("timed out connecting to " + on(config) + " after " +
                         std::to_string(deadline.budget.count()) + " ms");
    }
    state = PQconnectPoll(conn.get());
  }
  PQsetErrorVerbosity(conn.get(), PQERRORS_DEFAULT);
  // Server notices must never reach stderr, where our JSON log lines go.
  PQsetNoticeProcessor(conn.get(), &ignore_notice, nullptr);
  if (PQsetnonblocking(conn.get(), 1) != 0) {
    throw_connection_lost(config.source, PQerrorMessage(conn.get()));
  }
  return std::unique_ptr<Session>(new Session(config, std::move(conn)));
}

bool Session::await(bool read, bool write, SteadyTime until) const {
  return wait_socket(PQsocket(conn_.get()), read, write, until, *config_->clock);
}

ResultHandle Session::exec(const std::string& sql, const std::vector<std::string>& params,
                           const Deadline& deadline) {
  PGconn* c = conn_.get();
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p.c_str());
  if (PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0) == 0) {
    throw_connection_lost(config_->source, PQerrorMessage(c));
  }
  for (int flushed = PQflush(c); flushed != 0; flushed = PQflush(c)) {
    if (flushed < 0) throw_connection_lost(config_->source, PQerrorMessage(c));
    if (!await(true, true, deadline.at)) cancel_and_throw(deadline);
    if (PQconsumeInput(c) == 0) throw_connection_lost(config_->source, PQerrorMessage(c));
  }
  ResultHandle kept;
  ResultHandle error;
  bool broken = false;
  for (;;) {
    while (!broken && PQisBusy(c) != 0) {
      if (!await(true, false, deadline.at)) cancel_and_throw(deadline);
      broken = PQconsumeInput(c) == 0;
    }
    // On a broken connection PQgetResult returns what libpq parsed (perhaps the server's
    // FATAL message with its SQLSTATE) and then nullptr, without waiting.
    ResultHandle r(PQgetResult(c));
    if (!r) break;
    const auto status = PQresultStatus(r.get());
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      kept = std::move(r);
    } else if (!error) {
      error = std::move(r);
    }
  }
  if (error) fail(error.get());
  if (broken || !kept) throw_connection_lost(config_->source, PQerrorMessage(c));
  return kept;
}

void Session::fail(const PGresult* res) {
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  std::string detail = PQresultErrorMessage(res);
  if (state != nullptr && *state != '\0') throw_sqlstate_error(state, config_->source, detail);
  // libpq made this error itself: the connection broke, or the reply made no sense.
  throw_connection_lost(config_->source, std::move(detail));
}

void Session::cancel_and_throw(const Deadline& deadline) {
  const Clock& clock = *config_->clock;
  const SteadyTime grace_end = clock.steady_now() + config_->cancel_grace;
  PGconn* c = conn_.get();
  const bool delivered = request_cancel(c, grace_end, clock);
  bool confirmed = false;
  if (delivered) {
    // The server answers the cancelled query with 57014; wait for it so that nothing is
    // still running when the caller hears about the timeout.
    for (;;) {
      while (PQisBusy(c) != 0 && await(true, false, grace_end) && PQconsumeInput(c) != 0) {
      }
      if (PQisBusy(c) != 0) break;
      ResultHandle r(PQgetResult(c));
      if (!r) {
        confirmed = true;
        break;
      }
    }
  }
  throw TimeoutError("query on " + on(*config_) + " did not finish within its deadline of " +
                         std::to_string(deadline.budget.count()) + " ms and was cancelled",
                     confirmed   ? "cancelled on the server"
                     : delivered ? "cancel delivered; the server did not confirm in time"
                                 : "cancel request could not be delivered in time");
}

bool Session::usable() const noexcept {
  return PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

int Session::backend_pid() const noexcept {
  return PQbackendPID(conn_.get());
}

std::string Session::escape_identifier(std::string_view name) const {
  LibpqBuffer quoted(PQescapeIdentifier(conn_.get(), name.data(), name.size()));
  if (!quoted) throw_connection_lost(config_->source, PQerrorMessage(conn_.get()));
  return std::string(quoted.get());
}

}  // namespace freshguard::pg
