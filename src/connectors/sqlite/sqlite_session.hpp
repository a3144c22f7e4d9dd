#pragma once
// One SQLite session of the SQLite connector: opening a database file read-only with the
// source's resource limits, and running one statement under a deadline. Private to the
// connector (and its tests).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/clock.hpp>

#include "connectors/sqlite/sqlite_handles.hpp"

namespace freshguard::sqlite {

using Binds = std::vector<std::string>;
using RowFn = std::function<void(sqlite3_stmt*)>;

/// Opens `opts.path` read-only (never created) with `PRAGMA query_only`, double-quoted
/// strings off, and the limits of `opts`: no value (string or blob, including intermediate
/// ones such as randomblob(N)) longer than opts.max_value_bytes, no ATTACH, and printf() /
/// format() refused (a wide field loops inside one uninterruptible step). The path must be
/// a regular file; it is checked with stat(2) before SQLite opens it, so a FIFO or device
/// fails at once instead of blocking. Throws ConnectionError. Thread-safe.
DbHandle open_database(const SqliteOptions& opts);

/// Runs `sql` on `db` with `binds` bound as text (?1, ?2, ...), calling `on_row` for each
/// row. The statement is interrupted (a progress handler, checked every 1000 virtual-machine
/// steps) once `timeout` has passed on `clock`. Throws TimeoutError past the deadline,
/// QueryError when a value exceeds opts.max_value_bytes (naming the key to raise) or SQLite
/// rejects the statement, ConnectionError when the file is not a usable database. `db` must
/// not be used by another thread meanwhile.
void execute(sqlite3* db, const SqliteOptions& opts, const Clock& clock,
             std::chrono::milliseconds timeout, const std::string& sql, const Binds& binds,
             const RowFn& on_row);

/// Throws the error for SQLite result code `rc` from `what` ("prepare", "step", ...) on
/// `db`, as execute() describes.
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view what, const SqliteOptions& opts,
                              std::chrono::milliseconds timeout);

}  // namespace freshguard::sqlite
