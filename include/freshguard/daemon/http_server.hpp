#pragma once
/// The HTTP endpoints of `serve` (libmicrohttpd, event-driven):
///   GET /healthz                  200 "ok" while the process runs
///   GET /readyz                   200 "ready", or 503 with the reason (no config, metadata
///                                 store unreachable)
///   GET /metrics                  Prometheus text format 0.0.4
///   GET /api/v1/status            every rule's last result (Daemon::status_json)
///   GET /api/v1/rules/{id}/history?limit=N   recorded executions, newest first (default 20)
/// With a token, /api/v1/* require `Authorization: Bearer <token>` (401 otherwise); the
/// probes and /metrics stay open; the token is checked before any other work on the request.
/// Unknown paths are 404 JSON errors, methods other than GET/HEAD 405.
///
/// Built for hostile clients: a few polling threads (epoll) serve every connection, so a
/// slow or silent client costs one socket and a bounded memory pool, never a worker; idle
/// connections are closed after a short timeout, and connections are capped in total and
/// per client address (HttpLimits). A connection over a cap is closed at once. Endpoints
/// that take time run on separate handler threads, so /healthz answers from the polling
/// threads whatever the metadata store does. A request that announces a body gets 400.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <freshguard/daemon/daemon.hpp>

namespace freshguard::daemon {

/// Where to listen: "HOST:PORT" ("[::1]:8080" for IPv6). Port 0 picks a free port.
struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 8080;
};
/// Parses "HOST:PORT"; nullopt (with `error` set) when malformed or the port is not 0-65535.
std::optional<ListenAddress> parse_listen(std::string_view text, std::string* error);

/// Resource limits of the HTTP server. The defaults suit `serve`; tests shrink them.
struct HttpLimits {
  /// Open connections in all (MHD_OPTION_CONNECTION_LIMIT). Capped at start to half the
  /// process's soft RLIMIT_NOFILE, so checks and the metadata store keep file descriptors.
  unsigned max_connections = 1000;
  /// Open connections from one client IP address (MHD_OPTION_PER_IP_CONNECTION_LIMIT).
  /// Generous on purpose: probes, scrapers and a reverse proxy often share one address,
  /// and a connection costs no thread; it stops one address taking every slot.
  unsigned max_connections_per_ip = 256;
  /// A connection with no traffic for this long is closed (MHD_OPTION_CONNECTION_TIMEOUT;
  /// 0 turns the timeout off). A connection waiting for a handler thread is not timed out.
  unsigned idle_timeout_seconds = 5;
  /// Memory of one connection: request line, headers and I/O buffers
  /// (MHD_OPTION_CONNECTION_MEMORY_LIMIT). A request whose headers do not fit is refused
  /// with a 4xx status and the connection closed.
  std::size_t connection_memory_bytes = 16 * 1024;
  /// Polling threads (MHD_OPTION_THREAD_POOL_SIZE): they read requests and answer /healthz
  /// and every refusal (401, 404, 405, ...) themselves.
  unsigned polling_threads = 2;
  /// Handler threads: /readyz, /metrics and /api/v1/* (they read the metadata store or
  /// render every rule) run here, so a slow store never delays /healthz.
  unsigned handler_threads = 4;
  /// Requests waiting for a handler thread; past this they get 503 at once (0 refuses every
  /// request that needs one).
  std::size_t max_queued_requests = 64;
};

/// Serves the endpoints above for one Daemon. start() and stop() are called from one thread;
/// the handler threads call the Daemon's ready/metrics/status/history concurrently.
class HttpServer {
 public:
  /// `daemon` must outlive the server. An empty `token` turns authentication off.
  HttpServer(Daemon& daemon, std::string token, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts serving on the polling threads; returns the bound port. `host` is an
  /// IPv4 or IPv6 address or a name (the first address it resolves to that binds is used).
  /// Throws ConfigError when the address cannot be resolved or bound (in use, not local).
  /// Call once.
  int start(const ListenAddress& address);
  /// Stops accepting, closes every connection and joins the threads. Idempotent; the
  /// destructor calls it. Not to be called concurrently with start().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace freshguard::daemon
