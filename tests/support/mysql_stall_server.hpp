#pragma once
// A fake MySQL server on a loopback port that greets every client with a real server's
// greeting (captured once from the MariaDB test server) and then never answers again: the
// client's next step, the TLS handshake, hangs. One thread; every socket is closed on
// destruction.

#include <atomic>
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

class MysqlStallServer {
 public:
  /// Captures the greeting of the server on 127.0.0.1:`real_port`, then listens.
  explicit MysqlStallServer(int real_port) : greeting_(capture(real_port)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(0);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0) {
      throw std::runtime_error("stall server: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~MysqlStallServer() {
    stop_ = true;
    thread_.join();
    for (const int fd : clients_)
      ::close(fd);
    ::close(listener_);
  }
  MysqlStallServer(const MysqlStallServer&) = delete;
  MysqlStallServer& operator=(const MysqlStallServer&) = delete;

  int port() const { return port_; }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  // The first packet a server sends: a 4-byte header (3-byte length) and its body.
  static std::string capture(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("stall server: cannot reach the real server");
    }
    std::string packet;
    char buf[512];
    std::size_t want = 4;
    while (packet.size() < want) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      packet.append(buf, static_cast<std::size_t>(n));
      if (packet.size() >= 4) {
        const auto* h = reinterpret_cast<const unsigned char*>(packet.data());
        want = 4 + (std::size_t{h[0]} | (std::size_t{h[1]} << 8U) | (std::size_t{h[2]} << 16U));
      }
    }
    ::close(fd);
    if (packet.size() < want) throw std::runtime_error("stall server: no greeting");
    return packet.substr(0, want);
  }

  void loop() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      clients_.push_back(fd);
      (void)::send(fd, greeting_.data(), greeting_.size(), MSG_NOSIGNAL);
    }
  }

  std::string greeting_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> clients_;  // touched by the thread only until it is joined
  std::thread thread_;
};

}  // namespace freshguard::testing
