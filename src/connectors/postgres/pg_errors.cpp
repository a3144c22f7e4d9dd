#include "connectors/postgres/pg_errors.hpp"

#include <array>
#include <cctype>
#include <utility>

#include <freshguard/core/error.hpp>

namespace freshguard::pg {
namespace {

std::string on(const std::string& source) {
  return "source \"" + source + "\"";
}

std::string with_state(std::string message, std::string_view sqlstate) {
  return message + " (SQLSTATE " + std::string(sqlstate) + ")";
}

bool is_sqlstate(std::string_view text) {
  if (text.size() != 5) return false;
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) &&
        !std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

[[noreturn]] void throw_connection_class(std::string_view state, const std::string& source,
                                         std::string detail) {
  if (state == "53300") {
    throw ConnectionError(with_state(on(source) + " has no free connection slots", state), true,
                          std::move(detail));
  }
  if (state == "57P03") {
    throw ConnectionError(
        with_state(on(source) + " is starting up or shutting down and refused the session", state),
        true, std::move(detail));
  }
  if (state == "57P01" || state == "57P02") {
    throw ConnectionError(
        with_state(on(source) + " ended the session (server shutdown or terminated backend)",
                   state),
        true, std::move(detail));
  }
  throw ConnectionError(with_state("lost the connection to " + on(source), state), true,
                        std::move(detail));
}

// A client-side connection failure: libpq's text is the only clue. Each entry maps a stable
// libpq/OpenSSL phrase to a safe message and whether retrying may help.
struct ClientFailure {
  std::string_view phrase;
  std::string_view message;
  bool transient;
};

constexpr std::array<ClientFailure, 9> kClientFailures{{
    {"certificate verify failed",
     "TLS verification failed: the server certificate is not signed by a trusted CA "
     "(check ssl_root_cert)",
     false},
    {"does not match host name",
     "TLS verification failed: the server certificate does not match the host name", false},
    {"root certificate file",
     "TLS verification needs a readable CA certificate file (ssl_root_cert)", false},
    {"server does not support SSL",
     "the server does not accept TLS connections (write ssl: disable to connect without TLS)",
     false},
    {"no password supplied", "authentication failed", false},
    {"SCRAM", "authentication failed", false},
    {"could not translate host name", "cannot resolve the host name", true},
    {"Connection refused", "connection refused", true},
    {"timeout expired", "timed out while connecting", true},
}};

}  // namespace

void throw_sqlstate_error(std::string_view state, const std::string& source, std::string detail) {
  const std::string_view cls = state.substr(0, 2);
  if (cls == "08" || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300") {
    throw_connection_class(state, source, std::move(detail));
  }
  if (state == "57014") {
    throw TimeoutError(
        with_state("query on " + on(source) + " was cancelled by the server (statement timeout)",
                   state),
        std::move(detail));
  }
  if (cls == "28") {
    throw ConnectionError(with_state("authentication failed for " + on(source), state), false,
                          std::move(detail));
  }
  if (state == "3D000") {
    throw ConnectionError(with_state("the database of " + on(source) + " does not exist", state),
                          false, std::move(detail));
  }
  if (state == "42501") {
    throw QueryError(with_state("permission denied on " + on(source), state), false,
                     std::move(detail));
  }
  if (state == "42P01" || state == "3F000") {
    throw QueryError(with_state("table or schema not found on " + on(source), state), false,
                     std::move(detail));
  }
  if (state == "42703") {
    throw QueryError(with_state("column not found on " + on(source), state), false,
                     std::move(detail));
  }
  if (state == "40001" || state == "40P01" || state == "55P03") {
    throw QueryError(
        with_state("query on " + on(source) + " conflicted with another transaction", state), true,
        std::move(detail));
  }
  if (cls == "53") {
    throw QueryError(with_state(on(source) + " is out of resources", state), true,
                     std::move(detail));
  }
  throw QueryError(with_state("query failed on " + on(source), state), false, std::move(detail));
}

std::string sqlstate_in_message(std::string_view message) {
  for (const std::string_view severity : {"FATAL:  ", "ERROR:  ", "PANIC:  "}) {
    for (auto pos = message.find(severity); pos != std::string_view::npos;
         pos = message.find(severity, pos + 1)) {
      const auto rest = message.substr(pos + severity.size());
      if (rest.size() > 5 && rest[5] == ':' && is_sqlstate(rest.substr(0, 5))) {
        return std::string(rest.substr(0, 5));
      }
    }
  }
  return {};
}

void throw_connect_error(const std::string& source, std::string_view message) {
  const std::string state = sqlstate_in_message(message);
  if (!state.empty()) throw_sqlstate_error(state, source, std::string(message));
  for (const auto& failure : kClientFailures) {
    if (message.find(failure.phrase) != std::string_view::npos) {
      throw ConnectionError("cannot connect to " + on(source) + ": " + std::string(failure.message),
                            failure.transient, std::string(message));
    }
  }
  throw ConnectionError("cannot connect to " + on(source), true, std::string(message));
}

void throw_connection_lost(const std::string& source, std::string detail) {
  throw ConnectionError("lost the connection to " + on(source), true, std::move(detail));
}

}  // namespace freshguard::pg
