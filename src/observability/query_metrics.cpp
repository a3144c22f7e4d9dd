#include <algorithm>
#include <cmath>

#include <freshguard/observability/query_metrics.hpp>

namespace freshguard::obs {

using std::chrono::microseconds;

microseconds LatencyHistogram::upper_bound(int i) noexcept {
  return microseconds(static_cast<std::int64_t>(std::llround(10.0 * std::pow(1.25, i))));
}

namespace {
int bucket_of(microseconds d) noexcept {
  // Buckets are few; a binary search over the bounds keeps it exact at the edges.
  int lo = 0;
  int hi = LatencyHistogram::kBuckets;  // the overflow bucket
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (d <= LatencyHistogram::upper_bound(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}
}  // namespace

void LatencyHistogram::record(microseconds d) noexcept {
  if (d < microseconds(0)) d = microseconds(0);
  ++counts_[static_cast<std::size_t>(bucket_of(d))];
  min_ = count_ == 0 ? d : std::min(min_, d);
  max_ = count_ == 0 ? d : std::max(max_, d);
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
}

microseconds LatencyHistogram::quantile(double q) const noexcept {
  if (count_ == 0) return microseconds(0);
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const microseconds bound = i < kBuckets ? upper_bound(static_cast<int>(i)) : max_;
      return std::clamp(bound, min_, max_);
    }
  }
  return max_;  // unreachable: the counts sum to count_
}

std::string_view to_string(QueryOperation op) noexcept {
  switch (op) {
    case QueryOperation::kTestConnection:
      return "test_connection";
    case QueryOperation::kListTables:
      return "list_tables";
    case QueryOperation::kDescribe:
      return "describe";
    case QueryOperation::kCount:
      return "count";
    case QueryOperation::kEstimate:
      return "estimate";
    case QueryOperation::kMax:
      return "max";
    case QueryOperation::kMin:
      return "min";
    case QueryOperation::kQuery:
      break;
  }
  return "query";
}

double QueryMetric::avg_ms() const noexcept {
  if (total == 0) return 0;
  return static_cast<double>(total_duration.count()) / 1000.0 / static_cast<double>(total);
}

double QueryMetric::success_rate() const noexcept {
  if (total == 0) return 1.0;
  return static_cast<double>(successful) / static_cast<double>(total);
}

void QueryMetric::record(microseconds duration, const std::optional<ErrorCode>& error,
                         bool unknown_error) {
  min_duration = total == 0 ? duration : std::min(min_duration, duration);
  max_duration = total == 0 ? duration : std::max(max_duration, duration);
  ++total;
  total_duration += duration;
  latency.record(duration);
  if (error) {
    ++failed;
    ++errors_by_code[std::string(to_string(*error))];
  } else if (unknown_error) {
    ++failed;
    ++errors_by_code["UNKNOWN"];
  } else {
    ++successful;
  }
}

void QueryMetric::merge(const QueryMetric& other) {
  if (other.total == 0) return;
  min_duration = total == 0 ? other.min_duration : std::min(min_duration, other.min_duration);
  max_duration = total == 0 ? other.max_duration : std::max(max_duration, other.max_duration);
  total += other.total;
  successful += other.successful;
  failed += other.failed;
  total_duration += other.total_duration;
  for (const auto& [code, n] : other.errors_by_code)
    errors_by_code[code] += n;
  latency.merge(other.latency);
}

void QueryMetrics::record(const QueryMetricKey& key, microseconds duration,
                          const std::optional<ErrorCode>& error, bool unknown_error) {
  const std::lock_guard lock(mu_);
  metrics_[key].record(duration, error, unknown_error);
}

std::map<std::string, QueryMetric> QueryMetrics::get_metrics(std::string_view table) const {
  std::map<std::string, QueryMetric> out;
  const std::lock_guard lock(mu_);
  for (const auto& [key, metric] : metrics_) {
    if (key.table != table) continue;
    out[key.table + ":" + std::string(to_string(key.operation))].merge(metric);
  }
  return out;
}

std::optional<QueryMetric> QueryMetrics::source_metrics(std::string_view source) const {
  std::optional<QueryMetric> out;
  const std::lock_guard lock(mu_);
  for (const auto& [key, metric] : metrics_) {
    if (key.source != source) continue;
    if (!out) out.emplace();
    out->merge(metric);
  }
  return out;
}

std::vector<std::pair<QueryMetricKey, QueryMetric>> QueryMetrics::snapshot() const {
  const std::lock_guard lock(mu_);
  return {metrics_.begin(), metrics_.end()};
}

void QueryMetrics::reset() {
  const std::lock_guard lock(mu_);
  metrics_.clear();
}

QueryMetrics& QueryMetrics::global() {
  static QueryMetrics* const instance = new QueryMetrics();  // never destroyed: used at exit
  return *instance;
}

}  // namespace freshguard::obs
