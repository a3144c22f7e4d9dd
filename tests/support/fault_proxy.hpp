#pragma once
// A fault-injection TCP proxy for tests: it sits between a client under test and a real
// server on this machine and, on command, refuses connections, drops established ones,
// delays bytes or black-holes traffic. Faults are injected around the real server, never
// by replacing it.
//
// Only loopback upstreams (127.0.0.0/8) are accepted: tests never send traffic elsewhere.
// The proxy listens on 127.0.0.1 on a free port. Every method is thread-safe. Mode changes
// take effect within about 10 ms (the threads poll with that period).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace freshguard::testing {

enum class FaultMode {
  kPass,       ///< forward bytes both ways (after set_delay's delay, if any)
  kRefuse,     ///< stop listening: new connections get ECONNREFUSED; established ones live on
  kDrop,       ///< reset every established connection, and every new one once accepted
  kBlackHole,  ///< accept, but forward nothing either way; bytes wait in the kernel until the
               ///< mode changes back, as across a network partition that heals
};

class FaultProxy {
 public:
  /// Forwards to `upstream_host`:`upstream_port` (an IPv4 loopback address; anything else
  /// throws std::invalid_argument). Throws std::runtime_error when it cannot listen.
  explicit FaultProxy(int upstream_port, const std::string& upstream_host = "127.0.0.1");
  /// Stops accepting, resets every connection and joins every thread.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// The port the proxy listens on (127.0.0.1).
  int port() const noexcept { return port_; }
  FaultMode mode() const noexcept { return mode_.load(); }
  /// Switches mode; entering kDrop resets every established connection.
  void set_mode(FaultMode mode);
  /// Holds every chunk of bytes this long before forwarding it (zero: no delay).
  void set_delay(std::chrono::milliseconds delay);
  /// Resets every established connection now (RST to both sides); the mode is unchanged,
  /// so new connections work as before.
  void drop_connections();

  /// Connections accepted since construction.
  std::uint64_t accepted() const noexcept { return accepted_.load(); }
  /// Connections currently open (client side).
  int active_connections() const;

 private:
  struct Conn;
  void accept_loop();
  void serve(Conn& conn);
  // Listens on 127.0.0.1:`port` (0: any free port) into listener_.
  bool open_listener(int port);
  void reap(bool all);

  std::uint32_t upstream_addr_;  // network byte order
  int upstream_port_;
  int port_ = 0;  // set once, before the acceptor starts
  int listener_ = -1;
  std::atomic<FaultMode> mode_{FaultMode::kPass};
  std::atomic<std::int64_t> delay_ms_{0};
  std::atomic<std::uint64_t> drop_generation_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::list<std::unique_ptr<Conn>> conns_;
  std::thread acceptor_;
};

}  // namespace freshguard::testing
