#pragma once
/// A metrics registry and its Prometheus text exposition (format 0.0.4).
///
/// Families are declared once with their help text and type; series are addressed by their
/// label set. Counters and gauges hold one value, histograms cumulative buckets with sum
/// and count, summaries pre-computed quantiles with sum and count (set whole, as exporters
/// of figures kept elsewhere do). Names follow the conventions: a `freshguard_` prefix,
/// base units (seconds, bytes), `_total` on counters. render() escapes label values
/// (backslash, double quote, newline) and help text (backslash, newline) as the format
/// requires, and prints families and series in a stable (sorted) order.
///
/// Thread-safe: every method may be called from any thread. Using an undeclared family, a
/// family with another type, or an invalid metric or label name throws
/// std::invalid_argument (a programming error, not a runtime condition).

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace freshguard::obs {

enum class MetricType { kCounter, kGauge, kHistogram, kSummary };
/// "counter", "gauge", "histogram", "summary".
std::string_view to_string(MetricType t) noexcept;

/// Label name -> value. Names must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__".
using Labels = std::map<std::string, std::string>;

/// Escapes a label value for the text format: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
std::string escape_label_value(std::string_view value);
/// Escapes help text: `\` -> `\\`, newline -> `\n`.
std::string escape_help(std::string_view help);
/// A sample value as the format spells it: shortest round-trip decimal, `+Inf`, `-Inf`, `NaN`.
std::string format_value(double v);
/// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool is_metric_name(std::string_view name) noexcept;

/// Check duration buckets in seconds: 5 ms to 60 s.
std::vector<double> default_duration_buckets();

class MetricsRegistry {
 public:
  /// Declares a family. Redeclaring with the same type is allowed (keeps the series);
  /// `buckets` (strictly increasing, +Inf implied) apply to histograms only.
  void declare(const std::string& name, const std::string& help, MetricType type,
               std::vector<double> buckets = {});

  /// Counter: adds `v` (>= 0).
  void add(const std::string& name, const Labels& labels, double v = 1.0);
  /// Gauge or counter: sets the value (counters only when copying a count kept elsewhere).
  void set(const std::string& name, const Labels& labels, double v);
  /// Histogram: records one observation.
  void observe(const std::string& name, const Labels& labels, double v);
  /// Summary: replaces quantiles (quantile -> value), sum and count.
  void set_summary(const std::string& name, const Labels& labels,
                   const std::vector<std::pair<double, double>>& quantiles, double sum,
                   double count);
  /// Removes every series of `name` (e.g. before re-filling per-rule gauges).
  void clear_series(const std::string& name);

  /// The whole registry in the Prometheus text format, ending with a newline.
  std::string render() const;

 private:
  struct Series {
    double value = 0;
    std::vector<double> bucket_counts;  // histograms: per bucket (not cumulative)
    double sum = 0;
    double count = 0;
    std::vector<std::pair<double, double>> quantiles;
  };
  struct Family {
    std::string help;
    MetricType type = MetricType::kGauge;
    std::vector<double> buckets;
    std::map<Labels, Series> series;
  };
  Family& family(const std::string& name, MetricType type);
  static void check_labels(const Labels& labels);
  static void render_family(const std::string& name, const Family& f, std::string& out);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace freshguard::obs
