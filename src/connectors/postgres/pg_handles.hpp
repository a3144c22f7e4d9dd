#pragma once
// RAII owners of libpq handles, private to the PostgreSQL connector. Each is move-only (a
// std::unique_ptr with a deleter that cannot throw); none is thread-safe: a handle is used by
// one thread at a time.

#include <memory>

#include <libpq-fe.h>

namespace freshguard::pg {

struct ConnCloser {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct ResultClearer {
  void operator()(PGresult* res) const noexcept { PQclear(res); }
};
struct CancelFreer {
  void operator()(PGcancel* cancel) const noexcept { PQfreeCancel(cancel); }
};
struct MemFreer {
  void operator()(char* mem) const noexcept { PQfreemem(mem); }
};

/// Owns one connection (PQfinish closes it, also while it is still connecting).
using ConnHandle = std::unique_ptr<PGconn, ConnCloser>;
/// Owns one result.
using ResultHandle = std::unique_ptr<PGresult, ResultClearer>;
/// Owns the cancel token of a connection; usable from another thread than the connection's.
using CancelHandle = std::unique_ptr<PGcancel, CancelFreer>;
/// Owns a buffer allocated by libpq (PQescapeIdentifier and friends).
using LibpqBuffer = std::unique_ptr<char, MemFreer>;

}  // namespace freshguard::pg
