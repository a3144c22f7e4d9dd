#pragma once
/// Pure statistics for volume baselines. No state, no I/O; thread-safe.
///
/// Every function takes the sample by value or span and leaves the caller's data alone.
/// Preconditions are checked: an empty sample (or a trim share outside [0, 50)) throws
/// std::invalid_argument.

#include <span>
#include <vector>

namespace freshguard::stats {

/// Scale that turns a median absolute deviation into a consistent estimate of the standard
/// deviation of normally distributed data (1 / Phi^-1(3/4)).
inline constexpr double kMadToSigma = 1.4826;
/// Scale that turns a mean absolute deviation into one (sqrt(pi / 2)); used when the MAD is 0.
inline constexpr double kMeanAdToSigma = 1.2533;

/// Arithmetic mean.
double mean(std::span<const double> values);

/// Median; of an even-sized sample, the mean of the two middle values.
double median(std::span<const double> values);

/// Mean after dropping floor(n * trim_percent / 100) values from each end of the sorted
/// sample. trim_percent in [0, 50).
double trimmed_mean(std::span<const double> values, double trim_percent);

/// The values trimmed_mean averages, sorted.
std::vector<double> trimmed(std::span<const double> values, double trim_percent);

/// Sample standard deviation (n - 1 in the denominator); 0 for a single value.
double standard_deviation(std::span<const double> values);

/// Median of |x - median|.
double median_absolute_deviation(std::span<const double> values);

/// Mean of |x - centre|.
double mean_absolute_deviation(std::span<const double> values, double centre);

/// A robust spread around the median, comparable to a standard deviation: the MAD scaled
/// by kMadToSigma; when the MAD is 0 (more than half the values equal), the mean absolute
/// deviation from the median scaled by kMeanAdToSigma (the usual modified z-score fallback).
/// 0 only when every value is the same.
double robust_spread(std::span<const double> values);

/// (value - centre) / centre * 100. `centre` must not be 0 (std::invalid_argument).
double deviation_percent(double value, double centre);

}  // namespace freshguard::stats
