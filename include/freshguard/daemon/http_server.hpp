#pragma once
/// The HTTP endpoints of `serve` (cpp-httplib):
///   GET /healthz                  200 "ok" while the process runs
///   GET /readyz                   200 "ready", or 503 with the reason (no config, metadata
///                                 store unreachable)
///   GET /metrics                  Prometheus text format 0.0.4
///   GET /api/v1/status            every rule's last result (Daemon::status_json)
///   GET /api/v1/rules/{id}/history?limit=N   recorded executions, newest first (default 20)
/// With a token, /api/v1/* require `Authorization: Bearer <token>` (401 otherwise); the
/// probes and /metrics stay open. Unknown paths are 404 JSON errors.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <freshguard/daemon/daemon.hpp>

namespace freshguard::daemon {

/// Where to listen: "HOST:PORT" ("[::1]:8080" for IPv6). Port 0 picks a free port.
struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 8080;
};
/// Parses "HOST:PORT"; nullopt (with `error` set) when malformed or the port is not 0-65535.
std::optional<ListenAddress> parse_listen(std::string_view text, std::string* error);

class HttpServer {
 public:
  /// `daemon` must outlive the server. An empty `token` turns authentication off.
  HttpServer(Daemon& daemon, std::string token);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts serving on a thread; returns the bound port. Throws ConfigError when
  /// the address cannot be bound.
  int start(const ListenAddress& address);
  /// Stops accepting and joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace freshguard::daemon
