// Sequential HTTPS requests to a local server through net::HttpClient, with and without
// connection reuse: what a REST connector (BigQuery, Snowflake) pays per API call for the
// TCP and TLS handshakes. Prints microseconds per request and the ratio; compare ratios
// within one run (shared machines are noisy).
//
//   bench/rest_bench [REQUESTS]   (default 300)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <httplib.h>

#include <freshguard/net/http_client.hpp>

namespace {

using Clock = std::chrono::steady_clock;

double micros_per_request(const freshguard::net::HttpClient& client, const std::string& url,
                          int n) {
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto r = client.send({"GET", url, {}, ""}, std::chrono::milliseconds(10000), "bench");
    if (r.status != 200) std::exit(1);
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 300;
  const auto dir = std::filesystem::temp_directory_path() / "freshguard-rest-bench";
  std::filesystem::create_directories(dir);
  const auto cert = (dir / "c.pem").string();
  const auto key = (dir / "k.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return 1;
  httplib::SSLServer server(cert.c_str(), key.c_str());
  server.set_keep_alive_max_count(1000000);
  server.set_tcp_nodelay(true);  // else Nagle holds the body back for the delayed ACK
  server.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"statementHandle":"x"})", "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/ok";

  freshguard::net::HttpOptions reuse{cert};
  freshguard::net::HttpOptions fresh{cert};
  fresh.reuse_connections = false;
  (void)micros_per_request(freshguard::net::HttpClient(reuse), url, 5);  // warm up
  const double with = micros_per_request(freshguard::net::HttpClient(reuse), url, n);
  const double without = micros_per_request(freshguard::net::HttpClient(fresh), url, n);
  std::printf("requests           %d\n", n);
  std::printf("reused connection  %.0f us/request\n", with);
  std::printf("new connection     %.0f us/request\n", without);
  std::printf("ratio new/reused   %.1fx\n", without / with);
  server.stop();
  t.join();
  std::filesystem::remove_all(dir);
  return 0;
}
