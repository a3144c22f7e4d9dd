#pragma once
// Turns MySQL / MariaDB failures into FreshGuard errors, classified by the error number
// (mysql_errno / mysql_stmt_errno) and, for numbers we do not know, the SQLSTATE: never by
// message text. User-facing messages name the source, the error number and the SQLSTATE
// only: no server version, host, path or credential. The raw text goes into
// Error::detail.

#include <string>
#include <string_view>

namespace freshguard::mysql {

/// Error numbers the classification relies on (server errors < 2000, client errors 2000-2999
/// and 5000-5999). 3024 is MySQL's, 1969 MariaDB's; both mean "statement time limit hit".
namespace errnum {
inline constexpr unsigned kConCount = 1040;            // too many connections
inline constexpr unsigned kDbAccessDenied = 1044;      // access denied to a database
inline constexpr unsigned kAccessDenied = 1045;        // bad user or password
inline constexpr unsigned kBadDb = 1049;               // unknown database
inline constexpr unsigned kServerShutdown = 1053;      //
inline constexpr unsigned kBadField = 1054;            // unknown column
inline constexpr unsigned kTableAccessDenied = 1142;   // command denied on a table
inline constexpr unsigned kColumnAccessDenied = 1143;  // command denied on a column
inline constexpr unsigned kNoSuchTable = 1146;         //
inline constexpr unsigned kTooManyUserConnections = 1203;
inline constexpr unsigned kLockWaitTimeout = 1205;
inline constexpr unsigned kLockDeadlock = 1213;
inline constexpr unsigned kSpecificAccessDenied = 1227;
inline constexpr unsigned kQueryInterrupted = 1317;  // KILL QUERY
inline constexpr unsigned kAccessDeniedNoPassword = 1698;
inline constexpr unsigned kConnectionKilled = 1927;
inline constexpr unsigned kStatementTimeout = 1969;  // MariaDB max_statement_time
inline constexpr unsigned kQueryTimeout = 3024;      // MySQL MAX_EXECUTION_TIME
inline constexpr unsigned kConnectionError = 2002;   // socket (unix) connect failed
inline constexpr unsigned kConnHostError = 2003;     // TCP connect failed
inline constexpr unsigned kUnknownHost = 2005;
inline constexpr unsigned kServerGone = 2006;
inline constexpr unsigned kServerLost = 2013;
inline constexpr unsigned kSslConnection = 2026;  // TLS handshake or verification
inline constexpr unsigned kServerLostExtended = 2055;
inline constexpr unsigned kAuthPluginCannotLoad = 2059;
inline constexpr unsigned kAuthPluginErr = 2061;
}  // namespace errnum

/// True for errors made by the client library (2000-2999, 5000-5999) rather than the server.
bool is_client_error(unsigned err) noexcept;

/// Throws the error for failure `err` (with `sqlstate`, five characters or empty) on
/// `source`. `connecting` is true while the session is being opened, where a missing or
/// forbidden database is a ConnectionError rather than a QueryError.
///   2002 2003 2006 2013 2055 1040 1053 1203 1927   ConnectionError, transient
///   2005 (unknown host)                            ConnectionError, transient
///   1045 1698 2059 2061 (authentication)           ConnectionError, not transient
///   2026 (TLS)                                     ConnectionError, not transient
///   1044 1049 while connecting                     ConnectionError, not transient
///   1317 1969 3024 (interrupted, time limit)       TimeoutError
///   1205 1213 (lock wait, deadlock), SQLSTATE 40001 QueryError, transient
///   1142 1143 1227 1044 (permission)               QueryError, not transient
///   1146 1054 1049 (missing)                       QueryError, not transient
///   other client errors, SQLSTATE class 08         ConnectionError, transient
///   anything else                                  QueryError, not transient
/// `detail` is the raw driver text.
[[noreturn]] void throw_error(const std::string& source, unsigned err, std::string_view sqlstate,
                              std::string detail, bool connecting);

}  // namespace freshguard::mysql
