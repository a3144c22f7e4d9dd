#pragma once
// A TCP proxy on a loopback port in front of a real server, for fault injection: while
// frozen it still accepts connections but forwards nothing, as a hung server or a network
// black hole would. One thread; every socket is closed on destruction.

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace freshguard::testing {

class PgProxy {
 public:
  /// Forwards 127.0.0.1:port() to 127.0.0.1:`target_port`.
  explicit PgProxy(int target_port) : target_port_(target_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(0);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 64) != 0) {
      throw std::runtime_error("proxy: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }

  ~PgProxy() {
    stop_ = true;
    thread_.join();
    for (const auto& p : pairs_) {
      ::close(p.client);
      ::close(p.server);
    }
    ::close(listener_);
  }
  PgProxy(const PgProxy&) = delete;
  PgProxy& operator=(const PgProxy&) = delete;

  int port() const { return port_; }
  /// Stops forwarding bytes (connections are still accepted, then left hanging).
  void freeze() { frozen_ = true; }
  void thaw() { frozen_ = false; }

 private:
  struct Pair {
    int client;
    int server;
  };

  static sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  void accept_one() {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(target_port_);
    if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(client);
      if (server >= 0) ::close(server);
      return;
    }
    pairs_.push_back({client, server});
  }

  // Copies what is readable on `from` to `to`; false when either side is done.
  static bool pump(int from, int to) {
    char buf[16384];
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return false;
    ssize_t off = 0;
    while (off < n) {
      const ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
      if (w <= 0) return false;
      off += w;
    }
    return true;
  }

  void loop() {
    while (!stop_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      const std::size_t polled = frozen_ ? 0 : pairs_.size();
      for (std::size_t i = 0; i < polled; ++i) {
        fds.push_back({pairs_[i].client, POLLIN, 0});
        fds.push_back({pairs_[i].server, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      constexpr short kReady = POLLIN | POLLHUP | POLLERR;
      std::vector<Pair> alive;
      for (std::size_t i = 0; i < polled; ++i) {
        const auto& p = pairs_[i];
        bool ok = (fds[2 * i + 1].revents & kReady) == 0 || pump(p.client, p.server);
        ok = ok && ((fds[2 * i + 2].revents & kReady) == 0 || pump(p.server, p.client));
        if (ok) {
          alive.push_back(p);
        } else {
          ::close(p.client);
          ::close(p.server);
        }
      }
      for (std::size_t i = polled; i < pairs_.size(); ++i)
        alive.push_back(pairs_[i]);  // not polled this round (frozen)
      pairs_.swap(alive);
      if ((fds[0].revents & POLLIN) != 0) accept_one();
    }
  }

  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> frozen_{false};
  std::atomic<bool> stop_{false};
  std::vector<Pair> pairs_;  // touched by the proxy thread only until it is joined
  std::thread thread_;
};

}  // namespace freshguard::testing
