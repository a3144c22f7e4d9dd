#include <cmath>
#include <vector>

#include <fmt/format.h>

#include <freshguard/core/error.hpp>
#include <freshguard/monitors/statistics.hpp>
#include <freshguard/monitors/volume_anomaly.hpp>

#include "monitors/base_result.hpp"

namespace freshguard {
namespace {

using std::chrono::days;

struct Threshold {
  double value;
  bool in_spreads;
};

Threshold threshold_of(const VolumeAnomalySpec& spec) {
  if (spec.deviation_threshold) return {*spec.deviation_threshold, false};
  if (spec.sensitivity) return {*spec.sensitivity, true};
  if (spec.method == BaselineMethod::kMad) return {kDefaultMadSensitivity, true};
  return {kDefaultDeviationPercent, false};
}

int required_points(const VolumeAnomalySpec& spec) {
  if (spec.minimum_data_points) return *spec.minimum_data_points;
  return spec.seasonality == Seasonality::kDayOfWeek ? kDefaultSeasonalMinimumPoints
                                                     : kDefaultMinimumPoints;
}

std::chrono::weekday weekday_of(WallTime t) {
  return std::chrono::weekday(std::chrono::floor<days>(t));
}

// The training values: in the window, before now, same weekday when seasonal, not alerting
// unless approved.
std::vector<double> training_values(std::span<const VolumePoint> history, WallTime now,
                                    const VolumeAnomalySpec& spec,
                                    std::optional<WallTime> approved_until, int& excluded) {
  const WallTime since = now - days(spec.baseline_window_days);
  std::vector<double> values;
  for (const auto& p : history) {
    if (p.checked_at < since || p.checked_at >= now) continue;
    if (spec.seasonality == Seasonality::kDayOfWeek &&
        weekday_of(p.checked_at) != weekday_of(now)) {
      continue;
    }
    if (p.status == CheckStatus::kAlert && !(approved_until && p.checked_at <= *approved_until)) {
      ++excluded;
      continue;
    }
    values.push_back(static_cast<double>(p.row_count));
  }
  return values;
}

void fill_centre_and_spread(VolumeBaseline& b, const std::vector<double>& values, double trim) {
  switch (b.method) {
    case BaselineMethod::kMean:
      b.centre = stats::mean(values);
      b.spread = stats::standard_deviation(values);
      break;
    case BaselineMethod::kTrimmedMean: {
      const auto kept = stats::trimmed(values, trim);
      b.centre = stats::mean(kept);
      b.spread = stats::standard_deviation(kept);
      break;
    }
    case BaselineMethod::kMedian:
    case BaselineMethod::kMad:
      b.centre = stats::median(values);
      b.spread = stats::robust_spread(values);
      break;
  }
}

std::string rows_text(std::int64_t n) {
  return std::to_string(n) + (n == 1 ? " row" : " rows");
}

std::string explain(const VolumeBaseline& b) {
  std::string text =
      fmt::format("{} centre {:.1f}, spread {:.1f}, {} points over {} days", to_string(b.method),
                  *b.centre, *b.spread, b.points, b.window_days);
  if (b.seasonality == Seasonality::kDayOfWeek) text += " (same weekday)";
  if (b.excluded_points > 0) text += fmt::format(", {} alerting left out", b.excluded_points);
  return text + fmt::format("; normal range {:.0f}-{:.0f}", *b.lower_bound, *b.upper_bound);
}

std::string deviation_text(const std::optional<double>& pct, double distance) {
  if (!pct) return distance == 0 ? "equal to the baseline" : "against a baseline of 0";
  return fmt::format("{:.1f}% {} the baseline", std::fabs(*pct), *pct < 0 ? "below" : "above");
}

}  // namespace

void validate_volume_anomaly_spec(const VolumeAnomalySpec& spec) {
  if (spec.baseline_window_days < 1 || spec.baseline_window_days > 365) {
    throw ConfigError("baseline_window_days must be between 1 and 365");
  }
  if (spec.deviation_threshold && spec.sensitivity) {
    throw ConfigError("give either deviation_threshold or sensitivity, not both");
  }
  if (spec.deviation_threshold && !(*spec.deviation_threshold > 0)) {
    throw ConfigError("deviation_threshold must be greater than 0");
  }
  if (spec.sensitivity && !(*spec.sensitivity > 0)) {
    throw ConfigError("sensitivity must be greater than 0");
  }
  if (spec.minimum_data_points && *spec.minimum_data_points < 1) {
    throw ConfigError("minimum_data_points must be at least 1");
  }
  if (!(spec.trim_percent >= 0 && spec.trim_percent < 50)) {
    throw ConfigError("trim_percent must be at least 0 and below 50");
  }
  if (spec.min_absolute_change < 0) throw ConfigError("min_absolute_change must not be negative");
}

VolumeJudgement judge_volume(std::span<const VolumePoint> history, std::int64_t current,
                             WallTime now, const VolumeAnomalySpec& spec,
                             std::optional<WallTime> approved_until) {
  VolumeJudgement j;
  VolumeBaseline& b = j.baseline;
  b.method = spec.method;
  b.window_days = spec.baseline_window_days;
  b.seasonality = spec.seasonality;
  b.required_points = required_points(spec);
  b.min_absolute_change = spec.min_absolute_change;
  const Threshold t = threshold_of(spec);
  b.threshold = t.value;
  b.threshold_in_spreads = t.in_spreads;

  const auto values = training_values(history, now, spec, approved_until, b.excluded_points);
  b.points = static_cast<int>(values.size());
  if (values.empty() || b.points < b.required_points) {
    b.status = BaselineStatus::kInsufficientHistory;
    j.message = rows_text(current) + "; baseline: insufficient_history (" +
                std::to_string(b.points) + " of " + std::to_string(b.required_points) +
                " points in the last " + std::to_string(b.window_days) + " days" +
                (spec.seasonality == Seasonality::kDayOfWeek ? " on this weekday)" : ")");
    return j;
  }
  b.status = BaselineStatus::kReady;
  fill_centre_and_spread(b, values, spec.trim_percent);
  const double centre = *b.centre;
  const double allowed = t.in_spreads ? t.value * *b.spread : std::fabs(centre) * t.value / 100.0;
  b.lower_bound = std::max(0.0, centre - allowed);
  b.upper_bound = centre + allowed;
  const auto x = static_cast<double>(current);
  const double distance = std::fabs(x - centre);
  if (*b.spread > 0) b.score = (x - centre) / *b.spread;
  if (centre != 0) j.deviation_percent = stats::deviation_percent(x, centre);

  const bool outside = x < *b.lower_bound || x > *b.upper_bound;
  const bool big_enough = distance >= static_cast<double>(spec.min_absolute_change);
  const std::string head =
      rows_text(current) + ", " + deviation_text(j.deviation_percent, distance);
  if (outside && big_enough) {
    j.status = CheckStatus::kAlert;
    const bool emptied = current == 0 && centre > 0;
    j.severity = emptied || (allowed > 0 && distance > 2 * allowed) ? Severity::kCritical
                                                                    : Severity::kWarning;
    j.message = "volume anomaly: " + head + " (" + explain(b) + ")";
  } else {
    j.message = head +
                (outside ? " but within min_absolute_change of " +
                               std::to_string(spec.min_absolute_change) + " rows"
                         : std::string()) +
                " (" + explain(b) + ")";
  }
  return j;
}

CheckResult check_volume_anomaly(Connector& connector, const Rule& rule, MetadataStore& store,
                                 const Clock& clock) {
  if (rule.type != RuleType::kVolumeAnomaly) {
    throw ConfigError("rule \"" + rule.id + "\" is not a volume_anomaly rule");
  }
  validate_volume_anomaly_spec(rule.volume_anomaly);
  const auto table = sql::QualifiedName::parse(rule.table, "table name");
  const std::int64_t rows = connector.row_count(table, rule.filter);
  const WallTime now = clock.wall_now();
  const auto& spec = rule.volume_anomaly;
  const auto history = store.volume_history(rule.id, now - days(spec.baseline_window_days), now);
  std::optional<WallTime> approved_until;
  if (auto approval = store.latest_approval(rule.id)) approved_until = approval->approved_at;

  VolumeJudgement j = judge_volume(history, rows, now, spec, approved_until);
  CheckResult r = monitors_detail::base_result(rule);
  r.method = Method::kExactCount;
  r.row_count = rows;
  r.status = j.status;
  r.severity = j.severity;
  r.message = std::move(j.message);
  r.deviation_percent = j.deviation_percent;
  r.baseline = std::move(j.baseline);
  return r;
}

}  // namespace freshguard
