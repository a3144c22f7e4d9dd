#pragma once
// A local HTTP receiver on a free loopback port, for alert-delivery tests: records every
// POST body and path; the first `failures` requests get a 500.

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace freshguard::testing {

class HttpReceiver {
 public:
  explicit HttpReceiver(int failures = 0) : failures_(failures) {
    server_.Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      const std::lock_guard lock(mu_);
      if (failures_-- > 0) {
        res.status = 500;
        return;
      }
      bodies_.push_back(req.body);
      paths_.push_back(req.path);
    });
    server_.set_tcp_nodelay(true);  // no Nagle wait for the delayed ACK per reply
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the listener runs would be lost and leave join() waiting forever.
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HttpReceiver() {
    server_.stop();
    thread_.join();
  }
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> bodies() {
    const std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> paths() {
    const std::lock_guard lock(mu_);
    return paths_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  int failures_;
  std::vector<std::string> bodies_;
  std::vector<std::string> paths_;
};

}  // namespace freshguard::testing
