#pragma once
/// A small HTTPS client over libcurl for the REST connectors (BigQuery, Snowflake).
///
/// TLS verification is always on (peer and host name); `ca_file` replaces the system CA
/// bundle, e.g. for a private endpoint or the test servers' generated CA. Every request is
/// bounded by a total timeout the caller passes (connectors pass
/// resilience::effective_timeout, so a call never outlives its deadline). Nothing here logs:
/// request headers carry credentials.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace freshguard::net {

/// One HTTP request. `headers` are full header lines (`Name: value`).
struct HttpRequest {
  std::string method = "GET";  ///< GET, POST or DELETE
  std::string url;
  std::vector<std::string> headers;
  std::string body;  ///< sent for POST (may be empty)
};

/// The status line and body of a response (any status: mapping statuses to errors is the
/// caller's business, since each API has its own error body).
struct HttpResponse {
  long status = 0;
  std::string body;
};

struct HttpOptions {
  /// PEM file of CA certificates trusted instead of the system bundle. Empty: system CAs.
  std::string ca_file;
  /// Bound on establishing the TCP+TLS connection (also capped by each request's timeout).
  /// Default 10 s.
  std::chrono::milliseconds connect_timeout{10000};
  /// Keep finished connections open and reuse them (HTTP keep-alive), saving a TCP and TLS
  /// handshake per request. A request that fails never hands its connection on. Default on.
  bool reuse_connections = true;
  /// Most idle handles (each with its open connection) kept for reuse. Default 8.
  std::size_t max_idle_handles = 8;
};

/// Thread-safe: each send() uses one curl easy handle at a time, taken from the client's idle
/// handles (whose connections stay open for reuse) or made new. Copies share the idle handles.
class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&);
  HttpClient& operator=(const HttpClient&);

  /// Sends `request` and waits for the whole response, at most `timeout` (a non-positive
  /// timeout throws TimeoutError at once). Throws TimeoutError when the time runs out,
  /// ConnectionError when the server cannot be reached (transient) or its certificate is
  /// not trusted (not transient). `what` names the call in messages (e.g. "BigQuery
  /// jobs.query"); messages never contain headers or bodies.
  HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout,
                    std::string_view what) const;

  const HttpOptions& options() const noexcept { return options_; }

 private:
  struct Idle;
  HttpOptions options_;
  std::shared_ptr<Idle> idle_;
};

/// Percent-encodes `text` for a URL query value or form field (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);

}  // namespace freshguard::net
