#pragma once
// What the throwaway database servers of the integration tests (scripts/pg-test-server.sh,
// scripts/mariadb-test-server.sh) have in common, as the tests see them: the KEY=value file
// each script writes, the "required" switch that turns a missing server into a failure,
// and polling for a condition that the server reaches asynchronously.

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>

namespace freshguard::testing {

/// The settings in the file named by environment variable `env_var`, keys without
/// `prefix` (FRESHGUARD_TEST_PG_PORT -> PORT); nullopt when the variable is unset or empty,
/// the file is unreadable or it names no PORT.
inline std::optional<std::map<std::string, std::string>> read_server_env(
    const char* env_var, const std::string& prefix) {
  const char* path = std::getenv(env_var);
  if (path == nullptr || *path == '\0') return std::nullopt;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::map<std::string, std::string> kv;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos && line.compare(0, prefix.size(), prefix) == 0) {
      kv[line.substr(prefix.size(), eq - prefix.size())] = line.substr(eq + 1);
    }
  }
  if (kv["PORT"].empty()) return std::nullopt;
  return kv;
}

/// True when environment variable `name` is exactly "1" (scripts/test.sh sets
/// FRESHGUARD_REQUIRE_PG / FRESHGUARD_REQUIRE_MYSQL so).
inline bool env_is_one(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string(v) == "1";
}

/// Polls `pred` every 20 ms for up to `limit`; true when it held.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace freshguard::testing

/// Skips the current test when `present` is false, or fails it when the environment
/// variable `required_var` is "1": a CI run that must exercise a server never passes by
/// skipping. `what` names the server, `env_var` its settings file, `script` its starter.
#define FRESHGUARD_NEED_SERVER(present, required_var, what, env_var, script)       \
  do {                                                                             \
    if (!(present)) {                                                              \
      if (::freshguard::testing::env_is_one(required_var)) {                       \
        FAIL() << required_var "=1 but no " what " test server: " env_var          \
                               " must name the file written by " script;           \
      }                                                                            \
      GTEST_SKIP() << "no " what " test server (run under " script " run -- ...)"; \
    }                                                                              \
  } while (0)
