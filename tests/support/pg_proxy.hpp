#pragma once
// A TCP proxy on a loopback port in front of a real server, for the timeout tests: while
// frozen it still accepts connections but forwards nothing, as a hung server or a network
// black hole would. A thin face of FaultProxy (support/fault_proxy.hpp: link
// freshguard_fault_proxy), kept for the tests that only freeze and thaw.

#include "support/fault_proxy.hpp"

namespace freshguard::testing {

class PgProxy {
 public:
  /// Forwards 127.0.0.1:port() to 127.0.0.1:`target_port`.
  explicit PgProxy(int target_port) : proxy_(target_port) {}

  int port() const { return proxy_.port(); }
  /// Stops forwarding bytes (connections are still accepted, then left hanging).
  void freeze() { proxy_.set_mode(FaultMode::kBlackHole); }
  void thaw() { proxy_.set_mode(FaultMode::kPass); }

 private:
  FaultProxy proxy_;
};

}  // namespace freshguard::testing
