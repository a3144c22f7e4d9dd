#pragma once
/// Query metrics (seed plan Part 4, `QueryMetrics`): for every connector call, per
/// `table:operation` and per source, how many ran, how many failed and why (by stable error
/// code), and how long they took: min / max / average and p50 / p95 / p99 from a
/// fixed-memory histogram.
///
/// The ResilientConnector records one observation per call (all retry attempts together,
/// as the caller waited for them) into QueryMetrics::global() unless the source sets
/// `query_metrics: false`. Memory is bounded by the number of distinct (source, table,
/// operation) keys, never by the number of calls. Thread-safe.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/core/error.hpp>

namespace freshguard::obs {

/// A latency histogram in fixed memory: kBuckets geometric buckets (each bound 25% above
/// the previous, from 10 us to about 7.5 minutes) and one overflow bucket. A quantile is
/// reported as the upper bound of the bucket it falls in, clamped to the observed min and
/// max, so it is at most 25% above the true value. Not thread-safe on its own.
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 80;
  /// The inclusive upper bound of bucket `i` (0 <= i < kBuckets): 10 us * 1.25^i.
  static std::chrono::microseconds upper_bound(int i) noexcept;

  void record(std::chrono::microseconds d) noexcept;
  /// Adds every observation of `other`.
  void merge(const LatencyHistogram& other) noexcept;
  std::uint64_t count() const noexcept { return count_; }
  /// The `q` quantile (0 < q <= 1); zero when empty.
  std::chrono::microseconds quantile(double q) const noexcept;

 private:
  std::array<std::uint64_t, kBuckets + 1> counts_{};
  std::uint64_t count_ = 0;
  std::chrono::microseconds min_{0};
  std::chrono::microseconds max_{0};
};

/// What a query did: the Connector method that ran it.
enum class QueryOperation {
  kTestConnection,
  kListTables,
  kDescribe,
  kCount,
  kEstimate,
  kMax,
  kMin,
  kQuery  ///< a user-supplied read-only query (Connector::query)
};
/// "test_connection", "list_tables", "describe", "count", "estimate", "max", "min", "query".
std::string_view to_string(QueryOperation op) noexcept;

/// The figures of one key (a table and operation, or a whole source).
struct QueryMetric {
  std::uint64_t total = 0;
  std::uint64_t successful = 0;
  std::uint64_t failed = 0;
  std::chrono::microseconds total_duration{0};
  std::chrono::microseconds min_duration{0};  ///< zero when total == 0
  std::chrono::microseconds max_duration{0};
  /// Failures by stable error code ("TIMEOUT", ...); "UNKNOWN" for non-FreshGuard errors.
  std::map<std::string, std::uint64_t> errors_by_code;
  LatencyHistogram latency;

  /// Average duration in milliseconds; 0 when total == 0.
  double avg_ms() const noexcept;
  /// successful / total in [0, 1]; 1 when total == 0 (nothing has failed).
  double success_rate() const noexcept;
  std::chrono::microseconds p50() const noexcept { return latency.quantile(0.50); }
  std::chrono::microseconds p95() const noexcept { return latency.quantile(0.95); }
  std::chrono::microseconds p99() const noexcept { return latency.quantile(0.99); }

  void record(std::chrono::microseconds duration, const std::optional<ErrorCode>& error,
              bool unknown_error = false);
  void merge(const QueryMetric& other);
};

/// One key of the registry.
struct QueryMetricKey {
  std::string source;
  std::string table;  ///< as displayed, e.g. "public.orders"; empty for source-wide calls
  QueryOperation operation = QueryOperation::kCount;
  friend auto operator<=>(const QueryMetricKey&, const QueryMetricKey&) = default;
};

class QueryMetrics {
 public:
  /// Records one call. `error` is its code when it failed with a freshguard::Error;
  /// `unknown_error` marks a failure by any other exception.
  void record(const QueryMetricKey& key, std::chrono::microseconds duration,
              const std::optional<ErrorCode>& error, bool unknown_error = false);

  /// The plan's getMetrics(table): `"<table>:<operation>"` -> figures, summed over sources.
  std::map<std::string, QueryMetric> get_metrics(std::string_view table) const;
  /// Every call on `source` summed; nullopt when it has made none.
  std::optional<QueryMetric> source_metrics(std::string_view source) const;
  /// Every key and its figures (a copy, for exporters).
  std::vector<std::pair<QueryMetricKey, QueryMetric>> snapshot() const;
  /// Forgets everything.
  void reset();

  /// The process-wide registry the connectors record into.
  static QueryMetrics& global();

 private:
  mutable std::mutex mu_;
  std::map<QueryMetricKey, QueryMetric> metrics_;
};

}  // namespace freshguard::obs
