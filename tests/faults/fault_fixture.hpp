#pragma once
// The fixture of the fault tests: the real PostgreSQL test server behind a FaultProxy, and
// a connector built by make_connector (so every check runs through breaker( retry(
// deadline( pool ) ) )) that reaches the server only through the proxy. Checks are the
// real monitors' run_check. The connector logs in as a role of its own, so the test can
// count and terminate exactly its sessions while other tests share the server.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>
#include <freshguard/config/connector_factory.hpp>
#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/core/check_result.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "support/fault_proxy.hpp"
#include "support/pg_test_server.hpp"

namespace freshguard::testing {

/// One check as the test saw it: its result and how long run_check took.
struct TimedResult {
  CheckResult result;
  std::chrono::steady_clock::duration took{};
};

class FaultTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    role_ = "fgf_" + std::to_string(getpid()) + "_" + std::to_string(++role_counter_);
    admin_->exec("CREATE ROLE " + role_ + " LOGIN PASSWORD '" + kRolePassword + "'");
    user_->exec(
        "CREATE TABLE orders (updated_at timestamptz);"
        "INSERT INTO orders VALUES (now() - interval '10 minutes');"
        "CREATE VIEW slow_orders AS SELECT o.updated_at FROM orders o, pg_sleep(0.6) s;"
        "GRANT USAGE ON SCHEMA " +
        schema_ + " TO " + role_ + "; GRANT SELECT ON ALL TABLES IN SCHEMA " + schema_ + " TO " +
        role_);
    proxy_ = std::make_unique<FaultProxy>(std::stoi(server_->port));
  }

  void TearDown() override {
    connector_.reset();
    proxy_.reset();
    PgTest::TearDown();
    if (role_.empty() || !admin_) return;
    terminate_sessions();
    eventually([&] { return role_sessions() == 0; });
    admin_->exec("DROP ROLE IF EXISTS " + role_);
  }

  /// The source as a user would configure it, pointed at the proxy. Resilience settings are
  /// shortened so a test takes seconds.
  config::SourceConfig source() const {
    auto s = server_->source_config("faulty", proxy_->port());
    s.username = role_;
    s.password = kRolePassword;
    s.schema = schema_;
    s.timeout_ms = 3000;
    s.connect_timeout_ms = 1000;
    s.max_connections = 4;
    s.circuit_breaker.failure_threshold = 3;
    s.circuit_breaker.success_threshold = 1;
    s.circuit_breaker.reset_timeout_ms = 1000;
    s.retry.max_attempts = 3;
    s.retry.base_delay_ms = 10;
    s.retry.max_delay_ms = 50;
    return s;
  }

  /// Builds the connector under test from `s` with make_connector.
  void connect(const config::SourceConfig& s) {
    connector_ = make_connector(s);
    resilient_ = dynamic_cast<ResilientConnector*>(connector_.get());
    ASSERT_NE(resilient_, nullptr);
    postgres_ = dynamic_cast<PostgresConnector*>(&resilient_->inner());
    ASSERT_NE(postgres_, nullptr);
  }

  /// A freshness rule on `table` (updated 10 minutes ago; tolerance one hour: ok).
  static Rule rule(const std::string& table = "orders") {
    Rule r;
    r.id = table + "_fresh";
    r.source = "faulty";
    r.table = table;
    r.freshness.timestamp_column = "updated_at";
    r.freshness.tolerance = std::chrono::minutes(60);
    return r;
  }

  /// Runs one scheduled check under a rule id of its own and records its result; an
  /// exception escaping run_check would be a bug (it is noexcept at the boundary), so it is
  /// recorded as a failure of the test. Thread-safe.
  TimedResult check(const std::string& table = "orders") {
    Rule r = rule(table);
    {
      std::lock_guard lock(mu_);
      r.id += "_" + std::to_string(scheduled_.size());
      scheduled_.push_back(r.id);
    }
    const auto start = std::chrono::steady_clock::now();
    TimedResult out;
    try {
      out.result = run_check(*connector_, r);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "an exception escaped run_check: " << e.what();
    }
    out.took = std::chrono::steady_clock::now() - start;
    std::lock_guard lock(mu_);
    results_.push_back(out.result);
    return out;
  }

  /// Every scheduled check ended with exactly one result: one per rule id, none missing,
  /// none doubled, each with a status that is a judgement or a coded error.
  void expect_one_result_per_check() const {
    ASSERT_EQ(results_.size(), scheduled_.size());
    std::multiset<std::string> seen;
    for (const auto& r : results_) {
      seen.insert(r.rule_id);
      EXPECT_EQ(r.status == CheckStatus::kError, r.error.has_value()) << r.rule_id;
    }
    EXPECT_EQ(seen, std::multiset<std::string>(scheduled_.begin(), scheduled_.end()));
  }

  /// How many results so far have `status` (and, when given, error `code`).
  int count(CheckStatus status, std::optional<ErrorCode> code = std::nullopt) const {
    int n = 0;
    for (const auto& r : results_) {
      if (r.status != status) continue;
      if (code && (!r.error || r.error->code != *code)) continue;
      ++n;
    }
    return n;
  }

  /// Destroys the connector; then none of its sessions may stay on the server.
  void expect_no_leaked_sessions() {
    connector_.reset();
    resilient_ = nullptr;
    postgres_ = nullptr;
    EXPECT_TRUE(eventually([&] { return role_sessions() == 0; }, std::chrono::seconds(5)))
        << role_sessions() << " sessions left";
  }

  /// Sessions the connector under test holds open on the server.
  int role_sessions() {
    return std::stoi(
        admin_->scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + role_ + "'"));
  }

  /// Backend pids of those sessions, ascending.
  std::vector<std::string> role_pids() {
    std::vector<std::string> out;
    for (const auto& row : admin_->exec("SELECT pid FROM pg_stat_activity WHERE usename = '" +
                                        role_ + "' ORDER BY pid")) {
      out.push_back(*row[0]);
    }
    return out;
  }

  /// pg_terminate_backend on every session of the connector, from the superuser.
  void terminate_sessions() {
    admin_->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" +
                 role_ + "'");
  }

  static constexpr const char* kRolePassword = "fault-test-pw-7c1e";
  static inline int role_counter_ = 0;
  std::string role_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<Connector> connector_;
  ResilientConnector* resilient_ = nullptr;
  PostgresConnector* postgres_ = nullptr;
  std::mutex mu_;  // guards results_ and scheduled_
  std::vector<CheckResult> results_;
  std::vector<std::string> scheduled_;  // rule ids, in order
};

}  // namespace freshguard::testing
