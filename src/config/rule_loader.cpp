// Reads the `rules:` section: a list of monitoring rules.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include <fmt/format.h>

#include <freshguard/core/error.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/security/query_analyzer.hpp>
#include <freshguard/sql/identifier.hpp>

#include "config/suggest.hpp"
#include "config/yaml_reader.hpp"

namespace freshguard::config::detail {
namespace {

constexpr std::string_view kRuleTypes[] = {"freshness", "volume_anomaly", "volume_threshold",
                                           "schema_change"};
constexpr std::string_view kFrequencies[] = {"hourly", "daily", "weekly"};

constexpr std::string_view kCommonKeys[] = {"id",   "source",      "table",
                                            "type", "description", "check_interval_minutes"};
constexpr std::string_view kFreshnessKeys[] = {
    "timestamp_column",      "tolerance_minutes", "expected_update_frequency",
    "alert_threshold_hours", "timezone",          "filter"};
constexpr std::string_view kVolumeThresholdKeys[] = {"min_row_count", "max_row_count", "filter"};
constexpr std::string_view kVolumeAnomalyKeys[] = {
    "baseline_window_days", "method",       "deviation_threshold", "sensitivity", "seasonality",
    "minimum_data_points",  "trim_percent", "min_absolute_change", "filter"};
constexpr std::string_view kSchemaChangeKeys[] = {"adaptation_mode"};
constexpr std::string_view kMethods[] = {"mean", "median", "trimmed_mean", "mad"};
constexpr std::string_view kSeasonalities[] = {"none", "day_of_week"};
constexpr std::string_view kAdaptationModes[] = {"manual", "auto", "alert_only"};

constexpr int kMaxMinutes = 10080;  // one week
/// Most rules one file may hold (memory and start-up time grow with each).
constexpr std::size_t kMaxRules = 50'000;
constexpr std::int64_t kMaxRowCount = std::numeric_limits<std::int64_t>::max();

std::vector<std::string_view> key_list(std::initializer_list<NameList> lists) {
  std::vector<std::string_view> out;
  for (const auto list : lists)
    out.insert(out.end(), list.begin(), list.end());
  return out;
}

void read_id(MapReader& r, Rule& rule) {
  auto id = r.required_string("id");
  if (!id) return;
  if (!is_valid_name(*id)) {
    r.ctx().add(r.path_of("id"),
                "must be at most 128 characters: letters, digits, '_', '.' and '-'");
    return;
  }
  rule.id = std::move(*id);
}

void read_source_name(MapReader& r, Rule& rule, const std::set<std::string>& source_names) {
  auto source = r.required_string("source");
  if (!source) return;
  if (!source_names.empty() && source_names.count(*source) == 0) {
    const std::vector<std::string_view> names(source_names.begin(), source_names.end());
    r.ctx().add(r.path_of("source"), "unknown source " + quote_text(*source) +
                                         "; it must name a source defined under sources:" +
                                         did_you_mean(*source, names));
    return;
  }
  rule.source = std::move(*source);
}

void read_table(MapReader& r, Rule& rule) {
  auto table = r.required_string("table");
  if (!table) return;
  try {
    (void)sql::QualifiedName::parse(*table, "table name");
    rule.table = std::move(*table);
  } catch (const SecurityError& e) {
    r.ctx().add_security(r.path_of("table"), e.what());
  }
}

void check_alert_threshold(MapReader& r, const FreshnessSpec& spec, bool tolerance_valid) {
  if (!spec.alert_threshold || !tolerance_valid) return;
  const auto threshold = std::chrono::minutes(*spec.alert_threshold);
  if (threshold >= spec.tolerance) return;
  r.ctx().add(r.path_of("alert_threshold_hours"),
              "must be at least the tolerance (" + std::to_string(spec.tolerance.count()) +
                  " minutes), got " + std::to_string(spec.alert_threshold->count()) +
                  (spec.alert_threshold->count() == 1 ? " hour" : " hours"));
}

void read_timezone(MapReader& r, FreshnessSpec& spec) {
  auto zone = r.optional_string("timezone");
  if (!zone) return;
  try {
    (void)TimeZone::named(*zone);
    spec.timezone = std::move(*zone);
  } catch (const Error& e) {
    r.ctx().add(r.path_of("timezone"), e.what());
  }
}

void read_freshness(MapReader& r, Rule& rule) {
  auto& spec = rule.freshness;
  // Optional here: without it the `catalog` method is used, which only bigquery and
  // snowflake sources offer (checked against the source type in config_loader.cpp).
  if (auto column = r.optional_string("timestamp_column")) {
    if (check_identifier(r.ctx(), r.path_of("timestamp_column"), *column, "column name")) {
      spec.timestamp_column = std::move(*column);
    }
  }
  if (auto frequency = r.optional_choice("expected_update_frequency", kFrequencies)) {
    spec.expected_update_frequency = parse_update_frequency(*frequency);
  }
  bool tolerance_valid = true;
  if (r.has("tolerance_minutes")) {
    const auto tolerance = r.optional_integer("tolerance_minutes", 5, kMaxMinutes);
    tolerance_valid = tolerance.has_value();
    if (tolerance) spec.tolerance = std::chrono::minutes(*tolerance);
  } else if (spec.expected_update_frequency) {
    spec.tolerance = default_tolerance(*spec.expected_update_frequency);
  }
  if (const auto hours = r.optional_integer("alert_threshold_hours", 1, 168)) {
    spec.alert_threshold = std::chrono::hours(*hours);
  }
  check_alert_threshold(r, spec, tolerance_valid);
  read_timezone(r, spec);
}

void read_volume_threshold(MapReader& r, Rule& rule) {
  auto& spec = rule.volume_threshold;
  const bool has_min = r.has("min_row_count");
  const bool has_max = r.has("max_row_count");
  spec.min_row_count = r.optional_integer("min_row_count", 0, kMaxRowCount);
  spec.max_row_count = r.optional_integer("max_row_count", 0, kMaxRowCount);
  if (!has_min && !has_max) {
    r.ctx().add(r.path(), "volume_threshold rules need min_row_count, max_row_count or both");
    return;
  }
  if (spec.min_row_count && spec.max_row_count && *spec.min_row_count > *spec.max_row_count) {
    r.ctx().add(r.path_of("min_row_count"), "must not be greater than max_row_count (" +
                                                std::to_string(*spec.max_row_count) + "), got " +
                                                std::to_string(*spec.min_row_count));
  }
}

// A decimal number in (min, max] (min_exclusive) or [min, max]; nullopt when absent or invalid.
std::optional<double> optional_number(MapReader& r, std::string_view key, double min, double max,
                                      bool min_exclusive) {
  const auto* node = r.find(key);
  if (node == nullptr) return std::nullopt;
  const auto path = r.path_of(key);
  const auto scalar = read_scalar(r.ctx(), *node, path, "a number");
  if (!scalar) return std::nullopt;
  std::string_view text = scalar->value;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    r.ctx().add(path, "must be a number, got " + scalar->describe());
    return std::nullopt;
  }
  const bool low = min_exclusive ? value <= min : value < min;
  if (low || value > max) {
    r.ctx().add(path,
                fmt::format("must be {} {} and at most {}, got {}",
                            min_exclusive ? "greater than" : "at least", min, max, scalar->value));
    return std::nullopt;
  }
  return value;
}

void read_volume_anomaly(MapReader& r, Rule& rule) {
  auto& spec = rule.volume_anomaly;
  spec.baseline_window_days =
      r.integer_or("baseline_window_days", 1, 365, spec.baseline_window_days);
  if (auto method = r.optional_choice("method", kMethods)) {
    spec.method = *parse_baseline_method(*method);
  }
  spec.deviation_threshold = optional_number(r, "deviation_threshold", 0, 1000, true);
  spec.sensitivity = optional_number(r, "sensitivity", 0, 100, true);
  if (r.has("deviation_threshold") && r.has("sensitivity")) {
    r.ctx().add(r.path_of("sensitivity"),
                "give either deviation_threshold (percent) or sensitivity (spreads), not both");
  }
  if (auto seasonality = r.optional_choice("seasonality", kSeasonalities)) {
    spec.seasonality = *parse_seasonality(*seasonality);
  }
  if (auto points = r.optional_integer("minimum_data_points", 1, 100000)) {
    spec.minimum_data_points = static_cast<int>(*points);
  }
  if (r.has("trim_percent") && spec.method != BaselineMethod::kTrimmedMean) {
    r.ctx().add(r.path_of("trim_percent"), "applies only to method: trimmed_mean");
  } else if (auto trim = optional_number(r, "trim_percent", 0, 49.9, false)) {
    spec.trim_percent = *trim;
  }
  if (auto floor = r.optional_integer("min_absolute_change", 0, kMaxRowCount)) {
    spec.min_absolute_change = *floor;
  }
}

void read_schema_change(MapReader& r, Rule& rule) {
  if (auto mode = r.optional_choice("adaptation_mode", kAdaptationModes)) {
    rule.schema_change.adaptation_mode = *parse_schema_adaptation(*mode);
  }
}

// Reads the fields of the rule's type and reports keys that belong elsewhere.
void read_type_fields(MapReader& r, Rule& rule, const std::optional<std::string>& type) {
  const auto all_keys = key_list(
      {kCommonKeys, kFreshnessKeys, kVolumeThresholdKeys, kVolumeAnomalyKeys, kSchemaChangeKeys});
  if (!type) {
    r.check_keys(all_keys, all_keys, "");
    return;
  }
  rule.type = *parse_rule_type(*type);
  switch (rule.type) {
    case RuleType::kFreshness:
      read_freshness(r, rule);
      r.check_keys(key_list({kCommonKeys, kFreshnessKeys}), all_keys, "freshness rules");
      break;
    case RuleType::kVolumeThreshold:
      read_volume_threshold(r, rule);
      r.check_keys(key_list({kCommonKeys, kVolumeThresholdKeys}), all_keys,
                   "volume_threshold rules");
      break;
    case RuleType::kVolumeAnomaly:
      read_volume_anomaly(r, rule);
      r.check_keys(key_list({kCommonKeys, kVolumeAnomalyKeys}), all_keys, "volume_anomaly rules");
      break;
    case RuleType::kSchemaChange:
      read_schema_change(r, rule);
      r.check_keys(key_list({kCommonKeys, kSchemaChangeKeys}), all_keys, "schema_change rules");
      break;
  }
}

// `filter:` (freshness and volume rules): a boolean SQL expression checked by the analyser.
void read_filter(MapReader& r, Rule& rule) {
  auto filter = r.optional_string("filter");
  if (!filter) return;
  try {
    security::QueryAnalyzer().check_filter(*filter);
    rule.filter = std::move(*filter);
  } catch (const SecurityError& e) {
    r.ctx().add_security(r.path_of("filter"), e.what());
  }
}

Rule read_rule(Context& ctx, const YAML::Node& node, const std::string& path,
               const std::set<std::string>& source_names) {
  Rule rule;
  MapReader r(ctx, node, path);
  read_id(r, rule);
  read_source_name(r, rule, source_names);
  read_table(r, rule);
  const auto type = r.required_choice("type", kRuleTypes);
  rule.description = r.optional_string("description").value_or("");
  rule.check_interval =
      std::chrono::minutes(r.integer_or("check_interval_minutes", 1, kMaxMinutes, 5));
  read_type_fields(r, rule, type);
  read_filter(r, rule);
  return rule;
}

}  // namespace

void check_history_windows(Context& ctx, const std::vector<Rule>& rules,
                           const MetadataConfig& metadata) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    if (rule.type != RuleType::kVolumeAnomaly) continue;
    const int window = rule.volume_anomaly.baseline_window_days;
    if (window <= metadata.retention_days) continue;
    ctx.add(child_path(index_path("rules", i), "baseline_window_days"),
            "must not exceed metadata.retention_days (" + std::to_string(metadata.retention_days) +
                "): older history is pruned, got " + std::to_string(window));
  }
}

std::vector<Rule> read_rules(Context& ctx, const YAML::Node* node,
                             const std::set<std::string>& source_names) {
  std::vector<Rule> rules;
  if (node == nullptr || (node->IsSequence() && node->size() == 0)) {
    ctx.add("rules", "at least one rule is required");
    return rules;
  }
  if (!node->IsSequence()) {
    ctx.add("rules", "must be a list of rules, got " + describe_node(*node));
    return rules;
  }
  if (node->size() > kMaxRules) {
    ctx.add("rules", "has " + std::to_string(node->size()) + " rules; at most " +
                         std::to_string(kMaxRules) + " are allowed in one configuration file");
    return rules;
  }
  std::map<std::string, std::size_t> first_use;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const auto path = index_path("rules", i);
    const auto item = (*node)[i];
    if (!item.IsMap()) {
      ctx.add(path, "must be a map (a rule with id:, source:, table:, type:), got " +
                        describe_node(item));
      continue;
    }
    auto rule = read_rule(ctx, item, path, source_names);
    if (!rule.id.empty()) {
      const auto [it, inserted] = first_use.emplace(rule.id, i);
      if (!inserted) {
        ctx.add(child_path(path, "id"), "duplicate rule id \"" + rule.id + "\" (also used by " +
                                            index_path("rules", it->second) + ")");
      }
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace freshguard::config::detail
