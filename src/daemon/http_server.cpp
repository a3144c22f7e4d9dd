// serve's HTTP endpoints on libmicrohttpd: a few polling threads (epoll where available)
// serve every connection, so slow clients cost a socket and a bounded memory pool each,
// never a worker. The polling threads answer /healthz and every refusal themselves; the
// endpoints that take time run on the handler threads (http_handler_pool.hpp). No request
// body is ever read: GET and HEAD are all there is.

#include <algorithm>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <optional>
#include <variant>

#include <microhttpd.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <freshguard/core/error.hpp>
#include <freshguard/daemon/http_server.hpp>
#include <freshguard/observability/logger.hpp>

#include "daemon/http_handler_pool.hpp"

namespace freshguard::daemon {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain";
constexpr const char* kPrometheus = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kApiPrefix = "/api/v1/";
constexpr std::string_view kRulesPrefix = "/api/v1/rules/";
constexpr std::string_view kHistorySuffix = "/history";

using Reply = HttpReply;
using Endpoint = HttpWork::Endpoint;

// The per-request state of a request answered on the polling thread.
int plain_request = 0;

std::string error_json(std::string_view code, std::string_view message) {
  std::string out = "{\"error\":{\"code\":\"";
  out += code;
  out += "\",\"message\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  out += "\"}}\n";
  return out;
}

Reply json_error(unsigned status, std::string_view code, std::string_view message) {
  return {status, error_json(code, message), kJson};
}

// Compares in time independent of where the first difference is.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

// libmicrohttpd's own messages (connection refused over a limit, malformed requests): at
// debug level, so a flood of hostile connections cannot flood the log.
void log_mhd(void* /*cls*/, const char* format, va_list args) {
  if (!obs::logger().enabled(obs::LogLevel::kDebug)) return;
  char text[512];
  const int n = std::vsnprintf(text, sizeof(text), format, args);
  if (n <= 0) return;
  std::string message(text, std::min(static_cast<std::size_t>(n), sizeof(text) - 1));
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
    message.pop_back();
  obs::logger().log({.level = obs::LogLevel::kDebug,
                     .component = "http",
                     .action = "http.server",
                     .message = obs::logger().redactor().redact(message)});
}

void free_body(void* body) {
  delete static_cast<std::string*>(body);
}

void on_completed(void* /*cls*/, MHD_Connection* /*conn*/, void** request_state,
                  MHD_RequestTerminationCode /*why*/) {
  if (*request_state != nullptr && *request_state != &plain_request) {
    delete static_cast<HttpJob*>(*request_state);
  }
  *request_state = nullptr;
}

// The configured connection cap, lowered to half the soft file-descriptor limit so the
// checks, the metadata store and the alert sinks keep descriptors of their own.
unsigned effective_connection_limit(unsigned wanted, unsigned threads) {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    wanted = static_cast<unsigned>(std::min<rlim_t>(wanted, files.rlim_cur / 2));
  }
  return std::max(wanted, threads);  // MHD refuses fewer connections than threads
}

struct AddrInfoDeleter {
  void operator()(addrinfo* a) const noexcept { ::freeaddrinfo(a); }
};
struct MhdDeleter {
  void operator()(MHD_Daemon* d) const noexcept { MHD_stop_daemon(d); }
};

}  // namespace

std::optional<ListenAddress> parse_listen(std::string_view text, std::string* error) {
  const auto fail = [error](std::string msg) -> std::optional<ListenAddress> {
    if (error != nullptr) *error = std::move(msg);
    return std::nullopt;
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return fail("must be HOST:PORT");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return fail("an IPv6 host must be in [brackets]");
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  const auto res = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || res.ec != std::errc() ||
      res.ptr != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return fail("port must be a number from 0 to 65535");
  }
  return ListenAddress{std::string(host), port};
}

struct HttpServer::Impl {
  Daemon& daemon;
  std::string token;
  HttpLimits limits;
  std::unique_ptr<HttpHandlerPool> handlers;
  std::unique_ptr<MHD_Daemon, MhdDeleter> mhd;

  Impl(Daemon& d, std::string t, HttpLimits l) : daemon(d), token(std::move(t)), limits(l) {}

  bool authorized(MHD_Connection* conn) const {
    if (token.empty()) return true;
    const char* header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (header == nullptr) return false;
    const std::string_view value(header);
    constexpr std::string_view kBearer = "Bearer ";
    return value.size() > kBearer.size() && value.starts_with(kBearer) &&
           same_secret(value.substr(kBearer.size()), token);
  }

  static Reply not_found() {
    return json_error(MHD_HTTP_NOT_FOUND, "NOT_FOUND", "no such endpoint");
  }

  // On the polling thread, for a GET or HEAD request (early_reply has refused the rest):
  // the answer itself when it is cheap, else the work for a handler thread. The token comes
  // first: an unauthenticated API request gets no other work done for it.
  std::variant<Reply, HttpWork> route(MHD_Connection* conn, std::string_view url) const {
    if (url.starts_with(kApiPrefix)) {
      if (!authorized(conn)) {
        return json_error(MHD_HTTP_UNAUTHORIZED, "UNAUTHORIZED",
                          "a valid bearer token is required");
      }
      if (url == "/api/v1/status") return HttpWork{Endpoint::kStatus};
      if (url.starts_with(kRulesPrefix) && url.ends_with(kHistorySuffix) &&
          url.size() > kRulesPrefix.size() + kHistorySuffix.size()) {
        const std::string_view id = url.substr(
            kRulesPrefix.size(), url.size() - kRulesPrefix.size() - kHistorySuffix.size());
        if (id.find('/') == std::string_view::npos) return history(conn, std::string(id));
      }
      return not_found();
    }
    if (url == "/healthz") return Reply{MHD_HTTP_OK, "ok\n", kText};
    if (url == "/readyz") return HttpWork{Endpoint::kReady};
    if (url == "/metrics") return HttpWork{Endpoint::kMetrics};
    return not_found();
  }

  static std::variant<Reply, HttpWork> history(MHD_Connection* conn, std::string rule_id) {
    HttpWork work{Endpoint::kHistory, std::move(rule_id)};
    const char* value = nullptr;
    std::size_t size = 0;
    if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, "limit", 5, &value, &size) ==
        MHD_YES) {
      const std::string_view v =
          value == nullptr ? std::string_view() : std::string_view(value, size);
      const auto r = std::from_chars(v.data(), v.data() + v.size(), work.limit);
      if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || work.limit < 1 ||
          work.limit > 1000) {
        return json_error(MHD_HTTP_BAD_REQUEST, "BAD_REQUEST",
                          "limit must be a number from 1 to 1000");
      }
    }
    return work;
  }

  // On a handler thread: the endpoints that read the store or render every rule.
  Reply run(const HttpWork& work) const noexcept {
    try {
      switch (work.endpoint) {
        case Endpoint::kReady: {
          std::string why;
          if (daemon.ready(&why)) return {MHD_HTTP_OK, "ready\n", kText};
          return {MHD_HTTP_SERVICE_UNAVAILABLE, "not ready: " + why + "\n", kText};
        }
        case Endpoint::kMetrics:
          return {MHD_HTTP_OK, daemon.metrics_text(), kPrometheus};
        case Endpoint::kStatus:
          return {MHD_HTTP_OK, daemon.status_json(), kJson};
        case Endpoint::kHistory: {
          auto doc = daemon.history_json(work.rule_id, work.limit);
          if (!doc) return json_error(MHD_HTTP_NOT_FOUND, "NOT_FOUND", "no rule with this id");
          return {MHD_HTTP_OK, std::move(*doc), kJson};
        }
      }
    } catch (const Error& e) {
      return json_error(MHD_HTTP_SERVICE_UNAVAILABLE, to_string(e.code()),
                        obs::logger().redactor().redact(e.what()));
    } catch (const std::exception&) {
    }
    return json_error(MHD_HTTP_INTERNAL_SERVER_ERROR, "HTTP_ERROR", "request failed");
  }

  static MHD_Result send(MHD_Connection* conn, Reply reply) {
    auto* body = new std::string(std::move(reply.body));
    MHD_Response* response = MHD_create_response_from_buffer_with_free_callback_cls(
        body->size(), body->data(), &free_body, body);
    if (response == nullptr) {
      delete body;
      return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.type);
    if (reply.status == MHD_HTTP_UNAUTHORIZED) {
      MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    } else if (reply.status == MHD_HTTP_METHOD_NOT_ALLOWED) {
      MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    const MHD_Result queued = MHD_queue_response(conn, reply.status, response);
    MHD_destroy_response(response);
    return queued;
  }

  // Requests refused as soon as their headers are in, without reading on: other methods,
  // /api/v1/* without the token, and requests that announce a body. MHD closes these
  // connections after the answer, since the rest of the request was never read.
  std::optional<Reply> early_reply(MHD_Connection* conn, std::string_view url,
                                   std::string_view method) const {
    if (method != MHD_HTTP_METHOD_GET && method != MHD_HTTP_METHOD_HEAD) {
      return json_error(MHD_HTTP_METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                        "only GET and HEAD are served");
    }
    if (url.starts_with(kApiPrefix) && !authorized(conn)) {
      return json_error(MHD_HTTP_UNAUTHORIZED, "UNAUTHORIZED", "a valid bearer token is required");
    }
    if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH) !=
            nullptr ||
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) !=
            nullptr) {
      return json_error(MHD_HTTP_BAD_REQUEST, "BAD_REQUEST", "requests here carry no body");
    }
    return std::nullopt;
  }

  // Answers now, or hands the work to a handler thread (the connection stays suspended
  // until its reply is ready; 503 at once when too many are waiting).
  MHD_Result dispatch(MHD_Connection* conn, std::string_view url, void** request_state) const {
    auto routed = route(conn, url);
    if (auto* reply = std::get_if<Reply>(&routed)) return send(conn, std::move(*reply));
    auto job = std::make_unique<HttpJob>();
    job->connection = conn;
    job->work = std::move(std::get<HttpWork>(routed));
    if (!handlers->submit(*job)) {
      return send(conn, json_error(MHD_HTTP_SERVICE_UNAVAILABLE, "BUSY",
                                   "too many requests in progress; retry later"));
    }
    *request_state = job.release();  // freed by on_completed
    return MHD_YES;
  }

  // MHD calls this once the request line and headers are in (`*request_state` null), again
  // after the (empty) body, and once more after a resume; answering after the body keeps
  // the connection alive for the next request.
  static MHD_Result on_request(void* cls, MHD_Connection* conn, const char* url, const char* method,
                               const char* /*version*/, const char* /*upload_data*/,
                               std::size_t* upload_size, void** request_state) noexcept {
    const auto* self = static_cast<const Impl*>(cls);
    const std::string_view path = url == nullptr ? "" : url;
    const std::string_view verb = method == nullptr ? "" : method;
    try {
      if (*request_state == nullptr) {
        *request_state = &plain_request;
        if (auto early = self->early_reply(conn, path, verb)) return send(conn, std::move(*early));
        return MHD_YES;
      }
      if (*request_state != &plain_request) {  // resumed: the handler thread's reply
        return send(conn, std::move(static_cast<HttpJob*>(*request_state)->reply));
      }
      if (*upload_size != 0) {  // not announced, so not expected; dropped
        *upload_size = 0;
        return MHD_YES;
      }
      return self->dispatch(conn, path, request_state);
    } catch (const std::exception&) {
      return MHD_NO;  // out of memory: closes the connection
    }
  }

  MHD_Daemon* start_on(const addrinfo& ai) {
    auto flags = static_cast<unsigned>(MHD_USE_AUTO_INTERNAL_THREAD) |
                 static_cast<unsigned>(MHD_USE_ERROR_LOG) |
                 static_cast<unsigned>(MHD_ALLOW_SUSPEND_RESUME);
    if (ai.ai_family == AF_INET6) flags |= static_cast<unsigned>(MHD_USE_DUAL_STACK);
    const unsigned connections =
        effective_connection_limit(limits.max_connections, limits.polling_threads);
    return MHD_start_daemon(flags, 0, nullptr, nullptr, &Impl::on_request, this,  //
                            MHD_OPTION_EXTERNAL_LOGGER, &log_mhd, nullptr,        //
                            MHD_OPTION_NOTIFY_COMPLETED, &on_completed, nullptr,  //
                            MHD_OPTION_SOCK_ADDR, ai.ai_addr,                     //
                            MHD_OPTION_CONNECTION_LIMIT, connections,             //
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits.max_connections_per_ip,
                            MHD_OPTION_CONNECTION_TIMEOUT, limits.idle_timeout_seconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits.connection_memory_bytes,
                            MHD_OPTION_THREAD_POOL_SIZE, limits.polling_threads,  //
                            MHD_OPTION_END);
  }
};

HttpServer::HttpServer(Daemon& daemon, std::string token, HttpLimits limits)
    : impl_(std::make_unique<Impl>(daemon, std::move(token), limits)) {}

HttpServer::~HttpServer() {
  stop();
}

int HttpServer::start(const ListenAddress& address) {
  const std::string where = address.host + ":" + std::to_string(address.port);
  if (impl_->mhd) throw ConfigError("cannot listen on " + where + " (already listening)");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(address.port);
  if (::getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), service.c_str(), &hints,
                    &found) != 0) {
    throw ConfigError("cannot listen on " + where + " (cannot resolve the host)");
  }
  const std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(found);
  Impl& impl = *impl_;
  impl.handlers = std::make_unique<HttpHandlerPool>(
      [&impl](const HttpWork& work) { return impl.run(work); }, impl.limits.handler_threads,
      impl.limits.max_queued_requests);
  for (const addrinfo* ai = found; ai != nullptr && !impl.mhd; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) impl.mhd.reset(impl.start_on(*ai));
  }
  if (!impl.mhd) {
    impl.handlers.reset();
    throw ConfigError("cannot listen on " + where + " (address in use or not available)");
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(impl.mhd.get(), MHD_DAEMON_INFO_BIND_PORT);
  return info != nullptr && info->port != 0 ? info->port : address.port;
}

void HttpServer::stop() {
  // Every suspended connection is resumed and answered before MHD stops (it must see none).
  if (impl_->handlers) impl_->handlers->stop();
  impl_->mhd.reset();
}

}  // namespace freshguard::daemon
