#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <freshguard/observability/metrics.hpp>

namespace freshguard::obs {
namespace {

bool is_label_name(std::string_view name) noexcept {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void append_labels(const Labels& labels, const Labels& extra, std::string& out) {
  if (labels.empty() && extra.empty()) return;
  out += '{';
  bool first = true;
  for (const Labels* set : {&labels, &extra}) {
    for (const auto& [k, v] : *set) {
      if (!first) out += ',';
      first = false;
      out += k;
      out += "=\"";
      out += escape_label_value(v);
      out += '"';
    }
  }
  out += '}';
}

void append_sample(const std::string& name, const Labels& labels, const Labels& extra, double v,
                   std::string& out) {
  out += name;
  append_labels(labels, extra, out);
  out += ' ';
  out += format_value(v);
  out += '\n';
}

}  // namespace

std::string_view to_string(MetricType t) noexcept {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      break;
  }
  return "summary";
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

bool is_metric_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::vector<double> default_duration_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

void MetricsRegistry::declare(const std::string& name, const std::string& help, MetricType type,
                              std::vector<double> buckets) {
  if (!is_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  if (!std::is_sorted(buckets.begin(), buckets.end()) ||
      std::adjacent_find(buckets.begin(), buckets.end()) != buckets.end()) {
    throw std::invalid_argument("histogram buckets must increase: " + name);
  }
  const std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second.type != type) throw std::invalid_argument("metric redeclared: " + name);
    return;
  }
  Family f;
  f.help = help;
  f.type = type;
  if (type == MetricType::kHistogram) f.buckets = std::move(buckets);
  families_.emplace(name, std::move(f));
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, MetricType type) {
  auto it = families_.find(name);
  if (it == families_.end()) throw std::invalid_argument("undeclared metric: " + name);
  if (it->second.type != type) throw std::invalid_argument("wrong metric type: " + name);
  return it->second;
}

void MetricsRegistry::check_labels(const Labels& labels) {
  for (const auto& [k, v] : labels) {
    if (!is_label_name(k) || k == "le" || k == "quantile") {
      throw std::invalid_argument("invalid label name: " + k);
    }
  }
}

void MetricsRegistry::add(const std::string& name, const Labels& labels, double v) {
  if (!(v >= 0)) throw std::invalid_argument("a counter cannot decrease: " + name);
  check_labels(labels);
  const std::lock_guard lock(mu_);
  family(name, MetricType::kCounter).series[labels].value += v;
}

void MetricsRegistry::set(const std::string& name, const Labels& labels, double v) {
  check_labels(labels);
  const std::lock_guard lock(mu_);
  auto it = families_.find(name);
  const MetricType type = it != families_.end() && it->second.type == MetricType::kCounter
                              ? MetricType::kCounter
                              : MetricType::kGauge;
  family(name, type).series[labels].value = v;
}

void MetricsRegistry::observe(const std::string& name, const Labels& labels, double v) {
  check_labels(labels);
  const std::lock_guard lock(mu_);
  Family& f = family(name, MetricType::kHistogram);
  Series& s = f.series[labels];
  if (s.bucket_counts.empty()) s.bucket_counts.assign(f.buckets.size() + 1, 0);
  const auto idx = static_cast<std::size_t>(
      std::lower_bound(f.buckets.begin(), f.buckets.end(), v) - f.buckets.begin());
  s.bucket_counts[idx] += 1;
  s.sum += v;
  s.count += 1;
}

void MetricsRegistry::set_summary(const std::string& name, const Labels& labels,
                                  const std::vector<std::pair<double, double>>& quantiles,
                                  double sum, double count) {
  check_labels(labels);
  const std::lock_guard lock(mu_);
  Series& s = family(name, MetricType::kSummary).series[labels];
  s.quantiles = quantiles;
  s.sum = sum;
  s.count = count;
}

void MetricsRegistry::clear_series(const std::string& name) {
  const std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.series.clear();
}

void MetricsRegistry::render_family(const std::string& name, const Family& f, std::string& out) {
  out += "# HELP " + name + ' ' + escape_help(f.help) + '\n';
  out += "# TYPE " + name + ' ' + std::string(to_string(f.type)) + '\n';
  for (const auto& [labels, s] : f.series) {
    switch (f.type) {
      case MetricType::kCounter:
      case MetricType::kGauge:
        append_sample(name, labels, {}, s.value, out);
        break;
      case MetricType::kHistogram: {
        double cumulative = 0;
        for (std::size_t i = 0; i < s.bucket_counts.size(); ++i) {
          cumulative += s.bucket_counts[i];
          const double le =
              i < f.buckets.size() ? f.buckets[i] : std::numeric_limits<double>::infinity();
          append_sample(name + "_bucket", labels, {{"le", format_value(le)}}, cumulative, out);
        }
        append_sample(name + "_sum", labels, {}, s.sum, out);
        append_sample(name + "_count", labels, {}, s.count, out);
        break;
      }
      case MetricType::kSummary:
        for (const auto& [q, v] : s.quantiles)
          append_sample(name, labels, {{"quantile", format_value(q)}}, v, out);
        append_sample(name + "_sum", labels, {}, s.sum, out);
        append_sample(name + "_count", labels, {}, s.count, out);
        break;
    }
  }
}

std::string MetricsRegistry::render() const {
  std::string out;
  const std::lock_guard lock(mu_);
  for (const auto& [name, f] : families_)
    render_family(name, f, out);
  return out;
}

}  // namespace freshguard::obs
