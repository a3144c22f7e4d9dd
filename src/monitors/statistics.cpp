#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include <freshguard/monitors/statistics.hpp>

namespace freshguard::stats {
namespace {

void require_values(std::span<const double> values, const char* fn) {
  if (values.empty()) throw std::invalid_argument(std::string(fn) + ": empty sample");
}

std::vector<double> sorted_copy(std::span<const double> values) {
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  return v;
}

double median_of_sorted(const std::vector<double>& v) {
  const std::size_t n = v.size();
  const std::size_t mid = n / 2;
  return n % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
}

}  // namespace

double mean(std::span<const double> values) {
  require_values(values, "mean");
  // Accumulate the deviations from the first value: exact for large, close row counts.
  const double first = values.front();
  double sum = 0;
  for (double v : values)
    sum += v - first;
  return first + sum / static_cast<double>(values.size());
}

double median(std::span<const double> values) {
  require_values(values, "median");
  return median_of_sorted(sorted_copy(values));
}

std::vector<double> trimmed(std::span<const double> values, double trim_percent) {
  require_values(values, "trimmed_mean");
  if (!(trim_percent >= 0.0 && trim_percent < 50.0)) {
    throw std::invalid_argument("trimmed_mean: trim_percent must be in [0, 50)");
  }
  std::vector<double> v = sorted_copy(values);
  const auto drop =
      static_cast<std::size_t>(std::floor(static_cast<double>(v.size()) * trim_percent / 100.0));
  // drop < n/2 because trim_percent < 50, so at least one value remains.
  return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(drop),
                             v.end() - static_cast<std::ptrdiff_t>(drop));
}

double trimmed_mean(std::span<const double> values, double trim_percent) {
  return mean(trimmed(values, trim_percent));
}

double standard_deviation(std::span<const double> values) {
  require_values(values, "standard_deviation");
  if (values.size() == 1) return 0.0;
  const double m = mean(values);
  double sq = 0;
  for (double v : values)
    sq += (v - m) * (v - m);
  return std::sqrt(sq / static_cast<double>(values.size() - 1));
}

double median_absolute_deviation(std::span<const double> values) {
  const double m = median(values);
  std::vector<double> dev;
  dev.reserve(values.size());
  for (double v : values)
    dev.push_back(std::fabs(v - m));
  return median(dev);
}

double mean_absolute_deviation(std::span<const double> values, double centre) {
  require_values(values, "mean_absolute_deviation");
  double sum = 0;
  for (double v : values)
    sum += std::fabs(v - centre);
  return sum / static_cast<double>(values.size());
}

double robust_spread(std::span<const double> values) {
  const double mad = median_absolute_deviation(values);
  if (mad > 0) return kMadToSigma * mad;
  return kMeanAdToSigma * mean_absolute_deviation(values, median(values));
}

double deviation_percent(double value, double centre) {
  if (centre == 0.0) throw std::invalid_argument("deviation_percent: centre is 0");
  return (value - centre) / centre * 100.0;
}

}  // namespace freshguard::stats
