#include <charconv>

#include <httplib.h>
#include <sys/socket.h>

#include <freshguard/core/error.hpp>
#include <freshguard/daemon/http_server.hpp>
#include <freshguard/observability/logger.hpp>

namespace freshguard::daemon {
namespace {

constexpr const char* kJson = "application/json";

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

// Compares in time independent of where the first difference is.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

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
  httplib::Server server;
  std::jthread thread;

  Impl(Daemon& d, std::string t) : daemon(d), token(std::move(t)) {}

  bool authorized(const httplib::Request& req, httplib::Response& res) const {
    if (token.empty()) return true;
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() > kBearer.size() && header.starts_with(kBearer) &&
        same_secret(std::string_view(header).substr(kBearer.size()), token)) {
      return true;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(error_json("UNAUTHORIZED", "a valid bearer token is required"), kJson);
    return false;
  }

  void routes() {
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      std::string why;
      if (daemon.ready(&why)) {
        res.set_content("ready\n", "text/plain");
      } else {
        res.status = 503;
        res.set_content("not ready: " + why + "\n", "text/plain");
      }
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(daemon.metrics_text(), "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/api/v1/status", [this](const httplib::Request& req, httplib::Response& res) {
      if (authorized(req, res)) res.set_content(daemon.status_json(), kJson);
    });
    server.Get(R"(/api/v1/rules/([^/]+)/history)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (authorized(req, res)) history(req, res);
               });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        const bool missing = res.status == 404;
        res.set_content(error_json(missing ? "NOT_FOUND" : "HTTP_ERROR",
                                   missing ? "no such endpoint" : "request failed"),
                        kJson);
      }
    });
  }

  void history(const httplib::Request& req, httplib::Response& res) const {
    int limit = 20;
    if (req.has_param("limit")) {
      const std::string v = req.get_param_value("limit");
      const auto r = std::from_chars(v.data(), v.data() + v.size(), limit);
      if (r.ec != std::errc() || r.ptr != v.data() + v.size() || limit < 1 || limit > 1000) {
        res.status = 400;
        res.set_content(error_json("BAD_REQUEST", "limit must be a number from 1 to 1000"), kJson);
        return;
      }
    }
    try {
      auto doc = daemon.history_json(req.matches[1], limit);
      if (!doc) {
        res.status = 404;
        res.set_content(error_json("NOT_FOUND", "no rule with this id"), kJson);
        return;
      }
      res.set_content(*doc, kJson);
    } catch (const Error& e) {
      res.status = 503;
      res.set_content(error_json(to_string(e.code()), obs::logger().redactor().redact(e.what())),
                      kJson);
    }
  }
};

HttpServer::HttpServer(Daemon& daemon, std::string token)
    : impl_(std::make_unique<Impl>(daemon, std::move(token))) {
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // serve bind the same port silently.
  impl_->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  impl_->routes();
}

HttpServer::~HttpServer() {
  stop();
}

int HttpServer::start(const ListenAddress& address) {
  int port = address.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(address.host);
    if (port < 0) port = 0;
  } else if (!impl_->server.bind_to_port(address.host, port)) {
    port = 0;
  }
  if (port == 0) {
    throw ConfigError("cannot listen on " + address.host + ":" + std::to_string(address.port) +
                      " (address in use or not available)");
  }
  impl_->thread = std::jthread([this] { impl_->server.listen_after_bind(); });
  return port;
}

void HttpServer::stop() {
  if (impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

}  // namespace freshguard::daemon
