#include "connectors/mysql/mysql_errors.hpp"

#include <array>
#include <optional>
#include <utility>

#include <freshguard/core/error.hpp>

namespace freshguard::mysql {
namespace {

enum class Kind {
  kLost,         // the connection failed or broke: transient
  kNoSlots,      // the server has no room for another session: transient
  kShutdown,     // the server is going away or ended the session: transient
  kUnknownHost,  // transient (DNS may recover)
  kAuth,         // not transient
  kTls,          // not transient
  kTimeout,      // interrupted by KILL QUERY or the statement time limit
  kConflict,     // lock wait timeout, deadlock: transient
  kPermission,   // not transient
  kMissing,      // no such table, column or database: not transient
};

struct Known {
  unsigned err;
  Kind kind;
};

constexpr std::array<Known, 24> kKnown{{
    {errnum::kConnectionError, Kind::kLost},
    {errnum::kConnHostError, Kind::kLost},
    {errnum::kServerGone, Kind::kLost},
    {errnum::kServerLost, Kind::kLost},
    {errnum::kServerLostExtended, Kind::kLost},
    {errnum::kConCount, Kind::kNoSlots},
    {errnum::kTooManyUserConnections, Kind::kNoSlots},
    {errnum::kServerShutdown, Kind::kShutdown},
    {errnum::kConnectionKilled, Kind::kShutdown},
    {errnum::kUnknownHost, Kind::kUnknownHost},
    {errnum::kAccessDenied, Kind::kAuth},
    {errnum::kAccessDeniedNoPassword, Kind::kAuth},
    {errnum::kAuthPluginCannotLoad, Kind::kAuth},
    {errnum::kAuthPluginErr, Kind::kAuth},
    {errnum::kSslConnection, Kind::kTls},
    {errnum::kQueryInterrupted, Kind::kTimeout},
    {errnum::kStatementTimeout, Kind::kTimeout},
    {errnum::kQueryTimeout, Kind::kTimeout},
    {errnum::kLockWaitTimeout, Kind::kConflict},
    {errnum::kLockDeadlock, Kind::kConflict},
    {errnum::kTableAccessDenied, Kind::kPermission},
    {errnum::kColumnAccessDenied, Kind::kPermission},
    {errnum::kSpecificAccessDenied, Kind::kPermission},
    {errnum::kDbAccessDenied, Kind::kPermission},
}};

constexpr std::array<unsigned, 3> kMissing{errnum::kNoSuchTable, errnum::kBadField, errnum::kBadDb};

std::string on(const std::string& source) {
  return "source \"" + source + "\"";
}

// " (error 1045, SQLSTATE 28000)"
std::string codes(unsigned err, std::string_view sqlstate) {
  std::string out = " (error " + std::to_string(err);
  if (!sqlstate.empty() && sqlstate != "00000" && sqlstate != "HY000") {
    out += ", SQLSTATE " + std::string(sqlstate);
  }
  return out + ")";
}

// nullopt: an ordinary query failure.
std::optional<Kind> classify(unsigned err, std::string_view sqlstate) {
  for (const auto& known : kKnown) {
    if (known.err == err) return known.kind;
  }
  for (const unsigned missing : kMissing) {
    if (missing == err) return Kind::kMissing;
  }
  if (sqlstate == "40001") return Kind::kConflict;
  if (is_client_error(err) || sqlstate.substr(0, 2) == "08") return Kind::kLost;
  return std::nullopt;
}

[[noreturn]] void throw_connection_kind(Kind kind, const std::string& source, bool connecting,
                                        const std::string& suffix, std::string detail) {
  switch (kind) {
    case Kind::kNoSlots:
      throw ConnectionError(on(source) + " has no free connection slots" + suffix, true,
                            std::move(detail));
    case Kind::kShutdown:
      throw ConnectionError(on(source) + " is shutting down or ended the session" + suffix, true,
                            std::move(detail));
    case Kind::kUnknownHost:
      throw ConnectionError(
          "cannot connect to " + on(source) + ": cannot resolve the host name" + suffix, true,
          std::move(detail));
    case Kind::kAuth:
      throw ConnectionError("authentication failed for " + on(source) + suffix, false,
                            std::move(detail));
    case Kind::kTls:
      throw ConnectionError("cannot connect to " + on(source) +
                                ": TLS failed: the server certificate could not be verified "
                                "(check ssl and ssl_root_cert) or the server does not accept "
                                "TLS" +
                                suffix,
                            false, std::move(detail));
    default:
      break;
  }
  throw ConnectionError(
      (connecting ? "cannot connect to " : "lost the connection to ") + on(source) + suffix, true,
      std::move(detail));
}

}  // namespace

bool is_client_error(unsigned err) noexcept {
  return (err >= 2000 && err <= 2999) || (err >= 5000 && err <= 5999);
}

void throw_error(const std::string& source, unsigned err, std::string_view sqlstate,
                 std::string detail, bool connecting) {
  const std::string suffix = codes(err, sqlstate);
  if (connecting && (err == errnum::kBadDb || err == errnum::kDbAccessDenied)) {
    throw ConnectionError(
        "the database of " + on(source) + " does not exist or may not be used" + suffix, false,
        std::move(detail));
  }
  const auto kind = classify(err, sqlstate);
  if (!kind) throw QueryError("query failed on " + on(source) + suffix, false, std::move(detail));
  switch (*kind) {
    case Kind::kTimeout:
      throw TimeoutError("query on " + on(source) +
                             (err == errnum::kQueryInterrupted
                                  ? " was interrupted on the server"
                                  : " was stopped by the server's statement time limit") +
                             suffix,
                         std::move(detail));
    case Kind::kConflict:
      throw QueryError("query on " + on(source) + " conflicted with another transaction" + suffix,
                       true, std::move(detail));
    case Kind::kPermission:
      throw QueryError("permission denied on " + on(source) + suffix, false, std::move(detail));
    case Kind::kMissing:
      throw QueryError("table, column or database not found on " + on(source) + suffix, false,
                       std::move(detail));
    case Kind::kLost:
    case Kind::kNoSlots:
    case Kind::kShutdown:
    case Kind::kUnknownHost:
    case Kind::kAuth:
    case Kind::kTls:
      break;
  }
  throw_connection_kind(*kind, source, connecting, suffix, std::move(detail));
}

}  // namespace freshguard::mysql
