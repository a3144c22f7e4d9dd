#pragma once
// Turns PostgreSQL failures into FreshGuard errors. Server errors are classified by their
// SQLSTATE (never by message text); failures that libpq detects on the client side carry no
// SQLSTATE, and only for those is libpq's message consulted, to pick a helpful safe message.
// User-facing messages name the source and the SQLSTATE only: no server version, host,
// path or credential. The raw text goes into Error::detail.

#include <string>
#include <string_view>

namespace freshguard::pg {

/// Throws the error for a server error with `sqlstate` (five characters) on `source`:
///   class 08, 57P01-57P03, 53300     ConnectionError, transient (connection poisoned)
///   57014 query_canceled             TimeoutError
///   class 28, fe auth                ConnectionError, not transient ("authentication failed")
///   3D000 (unknown database)         ConnectionError, not transient
///   42501 (permission denied)        QueryError, not transient
///   42P01, 42703, 3F000 (missing)    QueryError, not transient
///   40001, 40P01, 55P03, class 53    QueryError, transient
///   anything else                    QueryError, not transient
/// `detail` is the raw server text.
[[noreturn]] void throw_sqlstate_error(std::string_view sqlstate, const std::string& source,
                                       std::string detail);

/// The SQLSTATE that libpq printed in a verbose error message (`FATAL:  28P01: ...`), or an
/// empty string when there is none (the failure was detected by libpq itself).
std::string sqlstate_in_message(std::string_view message);

/// Throws the error for a connection attempt to `source` that failed with libpq's
/// `message` (made with PQERRORS_VERBOSE, so a server error carries its SQLSTATE). Always a
/// ConnectionError; TLS and authentication failures are not transient.
[[noreturn]] void throw_connect_error(const std::string& source, std::string_view message);

/// Throws the ConnectionError for a connection to `source` that broke while in use (libpq
/// reported a failure without a SQLSTATE). Transient; the connection is poisoned.
[[noreturn]] void throw_connection_lost(const std::string& source, std::string detail);

}  // namespace freshguard::pg
