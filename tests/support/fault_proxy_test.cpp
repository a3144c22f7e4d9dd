// The fault proxy against a tiny echo server on loopback. These tests use real time, in
// bounded waits of at most a second or two.

#include "support/fault_proxy.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace freshguard::testing {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

sockaddr_in loopback_port(int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  return sa;
}

// Echoes every byte back, one thread per connection.
class EchoServer {
 public:
  EchoServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto sa = loopback_port(0);
    socklen_t len = sizeof sa;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
      throw std::runtime_error("echo server cannot listen");
    }
    port_ = ntohs(sa.sin_port);
    acceptor_ = std::thread([this] { run(); });
  }
  ~EchoServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : workers_)
      t.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      workers_.emplace_back([this, c] {
        char buf[4096];
        while (!stop_) {
          pollfd q{c, POLLIN, 0};
          if (::poll(&q, 1, 10) <= 0) continue;
          const auto n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0 || ::send(c, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
        }
        ::close(c);
      });
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

// A blocking client socket; -1 with errno set when the connection fails.
int dial(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const auto sa = loopback_port(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

void send_text(int fd, const std::string& text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

// Reads until `size` bytes arrived or `wait` passed. "<closed>" when the peer closed or
// reset the connection before any byte came.
std::string receive(int fd, std::size_t size, milliseconds wait = milliseconds(2000)) {
  std::string out;
  const auto end = Steady::now() + wait;
  while (out.size() < size && Steady::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10) <= 0) continue;
    char buf[256];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return out.empty() ? "<closed>" : out;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string round_trip(int fd, const std::string& text) {
  send_text(fd, text);
  return receive(fd, text.size());
}

class FaultProxyTest : public ::testing::Test {
 protected:
  EchoServer server_;
  FaultProxy proxy_{server_.port()};
};

TEST_F(FaultProxyTest, PassForwardsBothWays) {
  const int fd = dial(proxy_.port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(round_trip(fd, "hello"), "hello");
  const std::string big(100000, 'x');  // several chunks
  EXPECT_EQ(round_trip(fd, big).size(), big.size());
  EXPECT_EQ(proxy_.accepted(), 1u);
  EXPECT_EQ(proxy_.active_connections(), 1);
  EXPECT_EQ(proxy_.mode(), FaultMode::kPass);
  ::close(fd);
}

TEST_F(FaultProxyTest, DelayHoldsBytes) {
  const int fd = dial(proxy_.port());
  proxy_.set_delay(milliseconds(150));
  const auto start = Steady::now();
  EXPECT_EQ(round_trip(fd, "slow"), "slow");
  EXPECT_GE(Steady::now() - start, milliseconds(300));  // held on the way there and back
  proxy_.set_delay(milliseconds(0));
  ::close(fd);
}

TEST_F(FaultProxyTest, RefuseStopsNewConnectionsOnly) {
  const int established = dial(proxy_.port());
  ASSERT_GE(established, 0);
  // Accepted by the proxy first: connections still in the backlog are reset with the listener.
  EXPECT_EQ(round_trip(established, "hi"), "hi");
  proxy_.set_mode(FaultMode::kRefuse);
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(dial(proxy_.port()), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_EQ(round_trip(established, "still here"), "still here");
  proxy_.set_mode(FaultMode::kPass);
  std::this_thread::sleep_for(milliseconds(100));
  const int again = dial(proxy_.port());  // the same port listens again
  ASSERT_GE(again, 0);
  EXPECT_EQ(round_trip(again, "back"), "back");
  ::close(again);
  ::close(established);
}

TEST_F(FaultProxyTest, DropConnectionsResetsEstablishedOnes) {
  const int fd = dial(proxy_.port());
  EXPECT_EQ(round_trip(fd, "a"), "a");
  proxy_.drop_connections();
  EXPECT_EQ(receive(fd, 1), "<closed>");
  ::close(fd);
  const int fresh = dial(proxy_.port());
  EXPECT_EQ(round_trip(fresh, "b"), "b");
  ::close(fresh);
}

TEST_F(FaultProxyTest, DropModeResetsEveryConnection) {
  const int old = dial(proxy_.port());
  proxy_.set_mode(FaultMode::kDrop);
  EXPECT_EQ(receive(old, 1), "<closed>");
  const int fd = dial(proxy_.port());  // the handshake completes in the kernel ...
  ASSERT_GE(fd, 0);
  EXPECT_EQ(receive(fd, 1), "<closed>");  // ... then the proxy resets it
  ::close(fd);
  ::close(old);
}

TEST_F(FaultProxyTest, BlackHoleHoldsTrafficUntilItHeals) {
  const int fd = dial(proxy_.port());
  EXPECT_EQ(round_trip(fd, "1"), "1");
  proxy_.set_mode(FaultMode::kBlackHole);
  std::this_thread::sleep_for(milliseconds(50));
  send_text(fd, "lost?");
  EXPECT_EQ(receive(fd, 5, milliseconds(200)), "");  // silence, not an error
  const int fresh = dial(proxy_.port());             // new connections hang the same way
  ASSERT_GE(fresh, 0);
  send_text(fresh, "new");
  EXPECT_EQ(receive(fresh, 3, milliseconds(200)), "");
  proxy_.set_mode(FaultMode::kPass);
  EXPECT_EQ(receive(fd, 5), "lost?");  // nothing was lost: the partition healed
  EXPECT_EQ(receive(fresh, 3), "new");
  ::close(fd);
  ::close(fresh);
}

TEST(FaultProxyUpstreamTest, DownUpstreamResetsTheClient) {
  int closed_port = 0;
  {
    EchoServer gone;
    closed_port = gone.port();
  }
  FaultProxy proxy(closed_port);
  const int fd = dial(proxy.port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(receive(fd, 1), "<closed>");
  ::close(fd);
}

TEST(FaultProxyUpstreamTest, OnlyLoopbackUpstreams) {
  EXPECT_THROW(FaultProxy(5432, "10.0.0.1"), std::invalid_argument);
  EXPECT_THROW(FaultProxy(5432, "localhost"), std::invalid_argument);
  EXPECT_NO_THROW(FaultProxy(5432, "127.0.0.2"));
}

TEST(FaultProxyUpstreamTest, DestructionEndsLiveConnectionsPromptly) {
  EchoServer server;
  auto proxy = std::make_unique<FaultProxy>(server.port());
  const int a = dial(proxy->port());
  const int b = dial(proxy->port());
  EXPECT_EQ(round_trip(a, "x"), "x");
  proxy->set_mode(FaultMode::kBlackHole);
  const auto start = Steady::now();
  proxy.reset();
  EXPECT_LT(Steady::now() - start, milliseconds(1000));
  EXPECT_EQ(receive(a, 1), "<closed>");
  ::close(a);
  ::close(b);
}

}  // namespace
}  // namespace freshguard::testing
