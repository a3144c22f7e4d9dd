// The libcurl client against a local HTTPS server: TLS verification stays on (the test CA is
// trusted through ca_file), timeouts and transport failures become typed errors.

#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include <freshguard/core/error.hpp>
#include <freshguard/net/http_client.hpp>

#include "support/rest_test_support.hpp"

namespace freshguard::net {
namespace {

using std::chrono::milliseconds;

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClientTest()
      : server_(testing::TestTls::get().cert.c_str(), testing::TestTls::get().key.c_str()) {
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content(req.get_header_value("X-Test") + ":" + req.body, "text/plain");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    server_.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.remote_port), "text/plain");
    });
    server_.Delete("/gone",
                   [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    server_.set_keep_alive_max_count(100);
    server_.set_tcp_nodelay(true);  // no Nagle wait for the delayed ACK per reply
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the listener runs would be lost and leave join() waiting forever.
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttpClientTest() override {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }
  HttpClient trusted() const {
    return HttpClient(HttpOptions{testing::TestTls::get().cert.string()});
  }

  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

// The client port the server saw for each of `n` sequential requests of `client`.
std::set<std::string> ports_seen(const HttpClient& client, const std::string& url, int n) {
  std::set<std::string> ports;
  for (int i = 0; i < n; ++i)
    ports.insert(client.send({"GET", url, {}, ""}, milliseconds(5000), "port").body);
  return ports;
}

TEST_F(HttpClientTest, ConnectionsAreReusedUnlessTurnedOff) {
  const HttpClient client = trusted();
  const auto first = ports_seen(client, url("/port"), 4);
  EXPECT_EQ(first.size(), 1u);     // one kept-alive connection
  const HttpClient copy = client;  // copies share the idle handles
  EXPECT_EQ(ports_seen(copy, url("/port"), 1), first);
  HttpOptions fresh{testing::TestTls::get().cert.string()};
  fresh.reuse_connections = false;
  EXPECT_EQ(ports_seen(HttpClient(fresh), url("/port"), 4).size(), 4u);
  // A failed request drops its handle: the next one opens a new connection and succeeds.
  EXPECT_THROW(client.send({"GET", url("/slow"), {}, ""}, milliseconds(100), "slow"), TimeoutError);
  EXPECT_EQ(client.send({"GET", url("/port"), {}, ""}, milliseconds(5000), "port").status, 200);
}

TEST_F(HttpClientTest, SendsHeadersAndBodyOverVerifiedTls) {
  const auto resp =
      trusted().send({"POST", url("/echo"), {"X-Test: yes"}, "a=b"}, milliseconds(5000), "echo");
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.body, "yes:a=b");
  EXPECT_EQ(trusted().send({"DELETE", url("/gone"), {}, ""}, milliseconds(5000), "del").status,
            204);
  EXPECT_EQ(trusted().send({"GET", url("/none"), {}, ""}, milliseconds(5000), "get").status, 404);
}

TEST_F(HttpClientTest, AnUntrustedCertificateIsAPermanentConnectionError) {
  HttpClient system_cas;
  try {
    (void)system_cas.send({"GET", url("/none"), {}, ""}, milliseconds(5000), "probe");
    FAIL();
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("not trusted"), std::string::npos) << e.what();
  }
}

TEST_F(HttpClientTest, TimeoutsAndUnreachableServersAreTyped) {
  EXPECT_THROW(trusted().send({"GET", url("/slow"), {}, ""}, milliseconds(300), "slow"),
               TimeoutError);
  EXPECT_THROW(trusted().send({"GET", url("/slow"), {}, ""}, milliseconds(0), "slow"),
               TimeoutError);
  try {
    (void)trusted().send({"GET", "https://127.0.0.1:1/", {}, ""}, milliseconds(2000), "closed");
    FAIL();
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.transient());
  }
}

TEST(UrlEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(url_encode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(url_encode("a b/c:d"), "a%20b%2Fc%3Ad");
  EXPECT_EQ(url_encode("\xff"), "%FF");
}

}  // namespace
}  // namespace freshguard::net
