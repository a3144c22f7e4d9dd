#include "support/fault_proxy.hpp"

#include <array>
#include <cerrno>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace freshguard::testing {
namespace {

constexpr int kPollMs = 10;
constexpr std::size_t kChunk = 16384;

// Closes with RST instead of FIN, as a crashed peer or a cut network looks to the other side.
void reset_close(int fd) {
  if (fd < 0) return;
  linger lg{};
  lg.l_onoff = 1;
  lg.l_linger = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
}

sockaddr_in loopback(std::uint32_t addr, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = addr;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  return sa;
}

int connect_to(std::uint32_t addr, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const auto sa = loopback(addr, port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

struct FaultProxy::Conn {
  int client = -1;
  int upstream = -1;
  std::uint64_t generation = 0;
  std::atomic<bool> done{false};
  std::thread thread;
};

FaultProxy::FaultProxy(int upstream_port, const std::string& upstream_host)
    : upstream_port_(upstream_port) {
  in_addr addr{};
  if (::inet_pton(AF_INET, upstream_host.c_str(), &addr) != 1 ||
      (ntohl(addr.s_addr) >> 24U) != 127U) {
    throw std::invalid_argument("FaultProxy forwards only to IPv4 loopback addresses");
  }
  upstream_addr_ = addr.s_addr;
  if (!open_listener(0)) throw std::runtime_error("FaultProxy cannot listen on 127.0.0.1");
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  acceptor_.join();
  reap(true);
  if (listener_ >= 0) ::close(listener_);
}

bool FaultProxy::open_listener(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const auto sa = loopback(htonl(INADDR_LOOPBACK), port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return false;
  }
  listener_ = fd;
  return true;
}

void FaultProxy::set_mode(FaultMode mode) {
  if (mode == FaultMode::kDrop) ++drop_generation_;
  mode_ = mode;
}

void FaultProxy::set_delay(std::chrono::milliseconds delay) {
  delay_ms_ = delay.count();
}

void FaultProxy::drop_connections() {
  ++drop_generation_;
}

int FaultProxy::active_connections() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& c : conns_) {
    if (!c->done.load()) ++n;
  }
  return n;
}

void FaultProxy::reap(bool all) {
  std::list<std::unique_ptr<Conn>> finished;
  {
    std::lock_guard lock(mu_);
    for (auto it = conns_.begin(); it != conns_.end();) {
      if (all || (*it)->done.load()) {
        finished.push_back(std::move(*it));
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished)
    c->thread.join();
}

void FaultProxy::accept_loop() {
  while (!stop_.load()) {
    reap(false);
    if (mode_.load() == FaultMode::kRefuse) {
      if (listener_ >= 0) {
        ::close(listener_);  // pending connections in the backlog are reset too
        listener_ = -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    if (listener_ < 0 && !open_listener(port_)) {  // the same port, once refusing ends
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ++accepted_;
    // The generation is read before the mode: a connection accepted while a test switches
    // to refuse and then drops connections is reset by one check or the other, never kept.
    const auto generation = drop_generation_.load();
    if (const auto mode = mode_.load(); mode == FaultMode::kDrop || mode == FaultMode::kRefuse) {
      reset_close(client);
      continue;
    }
    auto conn = std::make_unique<Conn>();
    conn->client = client;
    conn->generation = generation;
    Conn& ref = *conn;
    std::lock_guard lock(mu_);
    conns_.push_back(std::move(conn));
    ref.thread = std::thread([this, &ref] { serve(ref); });
  }
}

void FaultProxy::serve(Conn& c) {
  std::array<char, kChunk> buf{};
  while (!stop_.load() && drop_generation_.load() == c.generation) {
    if (mode_.load() == FaultMode::kBlackHole) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    if (c.upstream < 0) {
      c.upstream = connect_to(upstream_addr_, upstream_port_);
      if (c.upstream < 0) break;  // the server is down: the client sees a reset
    }
    std::array<pollfd, 2> fds{pollfd{c.client, POLLIN, 0}, pollfd{c.upstream, POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), kPollMs) <= 0) continue;
    bool open = true;
    for (std::size_t i = 0; i < fds.size() && open; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const auto n = ::recv(fds[i].fd, buf.data(), buf.size(), 0);
      if (n <= 0) {
        open = false;
        break;
      }
      if (const auto delay = delay_ms_.load(); delay > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      }
      open = write_all(fds[1 - i].fd, buf.data(), static_cast<std::size_t>(n));
    }
    if (!open) break;
  }
  reset_close(c.client);
  reset_close(c.upstream);
  c.done = true;
}

}  // namespace freshguard::testing
