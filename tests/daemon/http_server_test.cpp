// serve's HttpServer against hostile clients, over real loopback sockets: slow and silent
// connections do not take /healthz away, the connection caps and the idle timeout hold,
// oversized headers are refused, and the token is checked before anything else.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <freshguard/config/config.hpp>
#include <freshguard/daemon/daemon.hpp>
#include <freshguard/daemon/http_server.hpp>
#include <freshguard/metadata/factory.hpp>

#include "support/pg_test_server.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server_env.hpp"

namespace freshguard::daemon {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

/// A client socket connected to a loopback address; closed on destruction.
class Socket {
 public:
  Socket(int family, int port) : fd_(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) return;
    const timeval send_limit{5, 0};  // a server that neither reads nor closes fails the send
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &send_limit, sizeof(send_limit));
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(static_cast<std::uint16_t>(port));
      a->sin6_addr = in6addr_loopback;
      len = sizeof(sockaddr_in6);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      a->sin_family = AF_INET;
      a->sin_port = htons(static_cast<std::uint16_t>(port));
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof(sockaddr_in);
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool ok() const { return fd_ >= 0; }
  /// Sends what it can; errors (the server closed first) are ignored.
  void send(std::string_view data) const {
    while (!data.empty()) {
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  /// True when the server closed the connection or sent something (without waiting).
  bool server_acted() const {
    pollfd p{fd_, POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0;
  }
  /// Everything the server sends until it closes, or until `limit` passes.
  std::string read_until_closed(milliseconds limit, bool* closed) const {
    std::string out;
    *closed = false;
    const auto end = steady_clock::now() + limit;
    while (steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      const auto n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        *closed = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
};

/// A Daemon over a SQLite warehouse, its metadata in SQLite under `dir`, or in PostgreSQL
/// at `metadata_url`. Not started: the endpoints answer without checks having run.
std::unique_ptr<Daemon> make_daemon(const testing::TempDir& dir,
                                    const std::string& metadata_url = "") {
  testing::sqlite_exec(dir / "wh.db",
                       "CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, updated_at "
                       "TEXT); INSERT INTO orders (updated_at) VALUES (datetime('now'));");
  auto r = config::load_config_string(
      "sources:\n  wh:\n    type: sqlite\n    path: " + (dir / "wh.db").string() +
      "\nrules:\n  - id: orders_fresh\n    source: wh\n    table: orders\n"
      "    type: freshness\n    timestamp_column: updated_at\n"
      "metadata:\n  path: " +
      (dir / "meta.db").string() + "\n");
  if (!r.ok()) throw std::runtime_error(r.problems[0].to_string());
  if (!metadata_url.empty()) {
    r.config->metadata.backend = config::MetadataBackend::kPostgres;
    r.config->metadata.url = metadata_url;
  }
  auto store = open_metadata_store(r.config->metadata);
  return std::make_unique<Daemon>(std::move(*r.config), std::move(store), DaemonOptions{});
}

/// GET `path` on a fresh connection; the status (0 when no answer) and how long it took.
std::pair<int, milliseconds> timed_get(const std::string& host, int port, const std::string& path) {
  httplib::Client c(host, port);
  c.set_connection_timeout(std::chrono::seconds(5));
  c.set_read_timeout(std::chrono::seconds(5));
  const auto start = steady_clock::now();
  const auto r = c.Get(path);
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  return {r ? r->status : 0, took};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { daemon_ = make_daemon(dir_); }

  testing::TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
};

// Regression: cpp-httplib's fixed pool of 8 workers, each held by a slow client for its 5 s
// read timeout, left no worker for /healthz (the probe timed out after 5 s).
TEST_F(HttpServerTest, HealthzAnswersWhile200SlowClientsAreConnected) {
  HttpServer http(*daemon_, "tok3n");
  const int port = http.start({"127.0.0.1", 0});
  constexpr int kSlowClients = 200;
  std::vector<std::unique_ptr<Socket>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<Socket>(AF_INET, port));
    ASSERT_TRUE(slow.back()->ok()) << "slow client " << i << " could not connect";
    // Half start a request and never finish it; the other half send nothing at all.
    if (i % 2 == 0) slow.back()->send("GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  }
  // The half that started trickles one byte each every 200 ms, so no idle timeout fires.
  std::jthread trickle([&slow](std::stop_token stop) {
    while (!stop.stop_requested()) {
      for (std::size_t i = 0; i < slow.size(); i += 2)
        slow[i]->send("a");
      std::this_thread::sleep_for(milliseconds(200));
    }
  });
  std::this_thread::sleep_for(milliseconds(300));  // the server has accepted them all

  for (int probe = 0; probe < 5; ++probe) {
    const auto [status, took] = timed_get("127.0.0.1", port, "/healthz");
    EXPECT_EQ(status, 200) << "probe " << probe << " got no answer in " << took.count() << " ms";
    EXPECT_LT(took, milliseconds(1000)) << "probe " << probe;
  }
  trickle.request_stop();
  trickle.join();
  int acted = 0;
  for (const auto& s : slow)
    acted += s->server_acted() ? 1 : 0;
  EXPECT_EQ(acted, 0) << "the slow clients must still be connected, unanswered";
}

TEST_F(HttpServerTest, PerIpLimitClosesExtraConnectionsAtOnce) {
  HttpLimits limits;
  limits.max_connections_per_ip = 3;
  limits.polling_threads = 1;
  HttpServer http(*daemon_, "", limits);
  const int port = http.start({"127.0.0.1", 0});
  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Socket>(AF_INET, port));
    ASSERT_TRUE(held.back()->ok());
  }
  ASSERT_TRUE(testing::eventually([&] {
    const Socket extra(AF_INET, port);
    extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    bool closed = false;
    const auto answer = extra.read_until_closed(milliseconds(2000), &closed);
    return closed && answer.empty();
  }));
  held.pop_back();  // a slot is free again
  EXPECT_TRUE(
      testing::eventually([&] { return timed_get("127.0.0.1", port, "/healthz").first == 200; }));
}

TEST_F(HttpServerTest, IdleConnectionsAreClosedAfterTheTimeout) {
  HttpLimits limits;
  limits.idle_timeout_seconds = 1;
  HttpServer http(*daemon_, "", limits);
  const int port = http.start({"127.0.0.1", 0});
  const Socket idle(AF_INET, port);
  ASSERT_TRUE(idle.ok());
  idle.send("GET /healthz HTTP/1.1\r\n");
  const auto start = steady_clock::now();
  bool closed = false;
  const auto answer = idle.read_until_closed(milliseconds(10000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(steady_clock::now() - start, milliseconds(5000));
  EXPECT_EQ(answer.find("200 OK"), std::string::npos) << answer;
}

TEST_F(HttpServerTest, OversizedHeadersAreRefusedWithBoundedMemory) {
  HttpServer http(*daemon_, "");
  const int port = http.start({"127.0.0.1", 0});
  const Socket big(AF_INET, port);
  ASSERT_TRUE(big.ok());
  big.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(256 * 1024, 'a') +
           "\r\n\r\n");
  bool closed = false;
  const auto answer = big.read_until_closed(milliseconds(5000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 4")) << answer.substr(0, 200);
  EXPECT_EQ(answer.find("200 OK"), std::string::npos);
  EXPECT_EQ(timed_get("127.0.0.1", port, "/healthz").first, 200);
}

TEST_F(HttpServerTest, TokenComesFirstAndMethodsAndTypesAreKept) {
  HttpServer http(*daemon_, "tok3n");
  const int port = http.start({"127.0.0.1", 0});
  httplib::Client c("127.0.0.1", port);
  // Without the token a malformed API request is 401, not 400: nothing else was looked at.
  auto r = c.Get("/api/v1/rules/orders_fresh/history?limit=bad");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(c.Get("/api/v1/nothing")->status, 401);
  const httplib::Headers auth = {{"Authorization", "Bearer tok3n"}};
  EXPECT_EQ(c.Get("/api/v1/rules/orders_fresh/history?limit=bad", auth)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/rules/orders_fresh/history?limit", auth)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/rules/orders_fresh/history?limit=5", auth)->status, 200);
  EXPECT_EQ(c.Get("/api/v1/rules/a/b/history", auth)->status, 404);
  r = c.Get("/api/v1/nothing", auth);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("NOT_FOUND"), std::string::npos);

  c.set_keep_alive(true);
  r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok\n");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain");
  EXPECT_NE(r->get_header_value("Connection"), "close");  // kept alive for the next request
  r = c.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  r = c.Head("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Post("/healthz", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, ListensOnIpv6Loopback) {
  {
    const int probe = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool have_ipv6 =
        probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    if (probe >= 0) ::close(probe);
    if (!have_ipv6) GTEST_SKIP() << "no IPv6 loopback here";
  }
  HttpServer http(*daemon_, "");
  const int port = http.start({"::1", 0});
  ASSERT_GT(port, 0);
  const Socket s(AF_INET6, port);
  ASSERT_TRUE(s.ok());
  s.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  bool closed = false;
  const auto answer = s.read_until_closed(milliseconds(5000), &closed);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
}

class HttpServerSlowStoreTest : public testing::PgTest {
 protected:
  std::unique_ptr<Daemon> make_daemon_on_pg(const testing::TempDir& dir) const {
    return make_daemon(dir, "postgresql://" + server_->user + ":" + server_->password + "@" +
                                server_->host + ":" + server_->port + "/" + server_->db +
                                "?sslmode=verify-full&sslrootcert=" + server_->ca +
                                "&options=-csearch_path%3D" + schema_);
  }
  /// Holds the store's table until unlock(): every store call waits.
  void lock_store() {
    user_->exec("BEGIN");
    user_->exec("LOCK TABLE freshguard_schema_version IN ACCESS EXCLUSIVE MODE");
  }
  void unlock_store() { user_->exec("COMMIT"); }
  /// Store sessions of this test waiting for the lock.
  int waiting_on_lock() {
    return std::stoi(admin_->scalar(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT l.granted AND n.nspname = '" +
        schema_ + "'"));
  }
};

// /readyz reads the metadata store; while a lock holds the store's table, every /readyz waits
// on a handler thread, and /healthz still answers at once from a polling thread.
TEST_F(HttpServerSlowStoreTest, HealthzAnswersWhileReadyzWaitsForALockedStore) {
  if (IsSkipped() || HasFatalFailure()) return;
  testing::TempDir dir;
  auto d = make_daemon_on_pg(dir);
  HttpServer http(*d, "");
  const int port = http.start({"127.0.0.1", 0});
  ASSERT_EQ(timed_get("127.0.0.1", port, "/readyz").first, 200);

  lock_store();
  constexpr int kWaiting = 8;
  std::atomic<int> answered{0};
  std::vector<int> statuses(kWaiting, 0);
  std::vector<std::jthread> readers;
  for (int i = 0; i < kWaiting; ++i) {
    readers.emplace_back([&, i] {
      statuses[static_cast<std::size_t>(i)] = timed_get("127.0.0.1", port, "/readyz").first;
      ++answered;
    });
  }
  EXPECT_TRUE(testing::eventually([&] { return waiting_on_lock() == 1; }));
  std::this_thread::sleep_for(milliseconds(300));  // the other /readyz are in and waiting
  for (int probe = 0; probe < 3; ++probe) {
    const auto [status, took] = timed_get("127.0.0.1", port, "/healthz");
    EXPECT_EQ(status, 200) << "probe " << probe << " got no answer in " << took.count() << " ms";
    EXPECT_LT(took, milliseconds(1000)) << "probe " << probe;
  }
  EXPECT_EQ(answered.load(), 0) << "the store was not blocked: the test proves nothing";
  unlock_store();
  readers.clear();  // joins
  for (int s : statuses)
    EXPECT_EQ(s, 200);
}

// Past the queue's bound, requests get 503 at once; stop() with requests running and queued
// answers or closes them, returns once the running one finishes, and never aborts (MHD
// panics when stopped with a connection still suspended).
TEST_F(HttpServerSlowStoreTest, QueueIsBoundedAndStopDrainsSuspendedRequests) {
  if (IsSkipped() || HasFatalFailure()) return;
  testing::TempDir dir;
  auto d = make_daemon_on_pg(dir);
  HttpLimits limits;
  limits.handler_threads = 1;
  limits.max_queued_requests = 2;
  HttpServer http(*d, "", limits);
  const int port = http.start({"127.0.0.1", 0});
  lock_store();
  constexpr int kRequests = 6;  // 1 running, 2 queued, 3 refused
  std::atomic<int> answered{0};
  std::vector<int> statuses(kRequests, -1);
  std::vector<std::jthread> readers;
  const auto read = [&](int i) {
    readers.emplace_back([&, i] {
      statuses[static_cast<std::size_t>(i)] = timed_get("127.0.0.1", port, "/readyz").first;
      ++answered;
    });
  };
  read(0);  // the handler thread takes it and waits for the lock
  EXPECT_TRUE(testing::eventually([&] { return waiting_on_lock() == 1; }));
  for (int i = 1; i < kRequests; ++i)
    read(i);
  EXPECT_TRUE(testing::eventually([&] { return answered.load() == 3; }))
      << "answered " << answered.load() << ", statuses " << ::testing::PrintToString(statuses);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(answered.load(), 3);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 503), 3);
  EXPECT_EQ(timed_get("127.0.0.1", port, "/healthz").first, 200);

  std::atomic<bool> stopped{false};
  std::jthread stopper([&] {
    http.stop();
    stopped = true;
  });
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(stopped.load()) << "stop() must wait for the running request";
  unlock_store();
  EXPECT_TRUE(testing::eventually([&] { return stopped.load(); }, milliseconds(10000)));
  readers.clear();
  for (int s : statuses)
    EXPECT_TRUE(s == 200 || s == 503 || s == 0) << s;
}

}  // namespace
}  // namespace freshguard::daemon
