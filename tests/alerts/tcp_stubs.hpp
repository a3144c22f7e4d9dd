#pragma once
// TCP peers that never finish an HTTP exchange, for the alert-delivery tests, on free loopback
// ports:
//  - BlackHole listens and never accepts: connections complete in the kernel's backlog and
//    the request waits there unanswered. Destroying it closes the listener, which resets
//    every connection still in the backlog.
//  - Trickler accepts, and to each connection sends an HTTP status line one byte every
//    `period`, never finishing it, until destroyed.

#include <atomic>
#include <chrono>
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

// A listening socket on 127.0.0.1 and a free port.
inline int listen_loopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot listen on loopback");
  }
  port = ntohs(addr.sin_port);
  return fd;
}

class BlackHole {
 public:
  BlackHole() : fd_(listen_loopback(port_)) {}
  ~BlackHole() { ::close(fd_); }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  int port_ = 0;
  int fd_;
};

class Trickler {
 public:
  explicit Trickler(std::chrono::milliseconds period)
      : fd_(listen_loopback(port_)), thread_([this, period] { run(period); }) {}
  ~Trickler() {
    stop_ = true;
    thread_.join();
    for (const int c : clients_)
      ::close(c);
    ::close(fd_);
  }
  Trickler(const Trickler&) = delete;
  Trickler& operator=(const Trickler&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  void run(std::chrono::milliseconds period) {
    static constexpr char kLine[] = "HTTP/1.1 200 OK slowly, slowly, slowly, slowly, slowly";
    std::size_t next = 0;
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(period.count())) > 0) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) clients_.push_back(c);
      }
      for (const int c : clients_)
        (void)::send(c, &kLine[next % (sizeof kLine - 1)], 1, MSG_NOSIGNAL);
      ++next;
    }
  }

  int port_ = 0;
  int fd_;
  std::atomic<bool> stop_{false};
  std::vector<int> clients_;  // the worker's until it is joined
  std::thread thread_;
};

}  // namespace freshguard::testing
