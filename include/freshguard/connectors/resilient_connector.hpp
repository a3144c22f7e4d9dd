#pragma once
/// ResilientConnector: the resilience layer around any Connector, so every call on a source
/// gets it without asking. make_connector() wraps every connector it builds in one.
///
/// Each call runs as breaker( retry( deadline( call ) ) ):
/// - the source's CircuitBreaker fails the call fast (CircuitOpenError, CONNECTION_FAILED)
///   while the database is known to be down, and sees one outcome per call, not per attempt;
/// - the RetryPolicy repeats attempts that fail with a transient error, with backoff;
/// - one Deadline of `timeout` (the source's timeout_ms) spans every attempt: no retry
///   starts that could not end before it, and each attempt runs with it installed as the
///   thread's current deadline (resilience::DeadlineScope), so the wrapped connector can
///   bound its queries by resilience::effective_timeout(). When the caller already has a
///   current deadline on the same clock, the earlier of the two applies.
///
/// source_name() and dialect() are forwarded as they are. Breaker state changes are logged
/// (opened: warn; half_open, closed: info) and so are retries (info), through obs::logger().
/// Thread-safe when the wrapped connector is (the Connector contract).

#include <chrono>
#include <memory>
#include <optional>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/random.hpp>
#include <freshguard/observability/query_metrics.hpp>
#include <freshguard/resilience/circuit_breaker.hpp>
#include <freshguard/resilience/retry_policy.hpp>
#include <freshguard/resilience/sleeper.hpp>

namespace freshguard {

struct ResilienceOptions {
  /// Deadline of each call, across all of its attempts. Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// The source's breaker; nullopt turns it off. Defaults as in CircuitBreakerOptions.
  std::optional<resilience::CircuitBreakerOptions> breaker = resilience::CircuitBreakerOptions{};
  /// Retrying; nullopt turns it off (one attempt). Defaults as in RetryOptions.
  std::optional<resilience::RetryOptions> retry = resilience::RetryOptions{};
  /// Injected time, waiting and chance; nullptr means the system's. Each must outlive the
  /// connector.
  const Clock* clock = nullptr;
  resilience::Sleeper* sleeper = nullptr;
  Random* random = nullptr;
  /// Where each call's outcome and duration (steady clock, all attempts together) is
  /// recorded, keyed by source, table and operation; nullptr (the default here) records
  /// nothing. resilience_options() (config/connector_factory.hpp) sets obs::QueryMetrics::global()
  /// unless the source says `query_metrics: false`. Must outlive the connector.
  obs::QueryMetrics* query_metrics = nullptr;
};

class ResilientConnector final : public Connector {
 public:
  /// Owns `inner`. Throws ConfigError when the options are invalid, std::invalid_argument
  /// when `inner` is null.
  ResilientConnector(std::unique_ptr<Connector> inner, ResilienceOptions options);
  ~ResilientConnector() override;
  ResilientConnector(const ResilientConnector&) = delete;
  ResilientConnector& operator=(const ResilientConnector&) = delete;

  const std::string& source_name() const noexcept override;
  const sql::Dialect& dialect() const noexcept override;
  void test_connection() override;
  std::vector<sql::QualifiedName> list_tables() override;
  TableSchema table_schema(const sql::QualifiedName& table) override;
  std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table) override;
  /// Forwarded like table_schema (the inner connector's schema cache answers).
  std::shared_ptr<const TableSchema> cached_table_schema(const sql::QualifiedName& table) override;
  /// Recorded in the query metrics as `count`, `max` or `min`.
  sql::Value aggregate(const AggregateRequest& request) override;
  QueryRows query(std::string_view sql) override;
  /// The inner connector's, unguarded (it reads local state only).
  std::optional<connectors::PoolStatus> pool_status() const override;

  /// The breaker's state, for metrics; kClosed when the breaker is turned off.
  resilience::CircuitState circuit_state() const;
  /// The breaker's counters; nullopt when the breaker is turned off.
  std::optional<resilience::CircuitBreakerSnapshot> breaker_snapshot() const;
  /// The retry counters; all zero when retrying is turned off.
  resilience::RetryCounters retry_counters() const;
  /// The wrapped connector.
  Connector& inner() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace freshguard
