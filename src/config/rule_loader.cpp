// Reads the `rules:` section: a list of monitoring rules.

#include <algorithm>
#include <limits>
#include <set>
#include <vector>

#include <freshguard/core/error.hpp>
#include <freshguard/core/time.hpp>
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
constexpr std::string_view kFreshnessKeys[] = {"timestamp_column", "tolerance_minutes",
                                               "expected_update_frequency", "alert_threshold_hours",
                                               "timezone"};
constexpr std::string_view kVolumeThresholdKeys[] = {"min_row_count", "max_row_count"};

constexpr int kMaxMinutes = 10080;  // one week
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
  if (auto column = r.required_string("timestamp_column")) {
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

// Reads the fields of the rule's type and reports keys that belong elsewhere.
void read_type_fields(MapReader& r, Rule& rule, const std::optional<std::string>& type) {
  const auto all_keys = key_list({kCommonKeys, kFreshnessKeys, kVolumeThresholdKeys});
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
    case RuleType::kSchemaChange:
      // Their own fields are unknown to this build; the type itself is the problem.
      r.ctx().add(r.path_of("type"), "'" + *type + "' rules are not supported by this version yet");
      break;
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
  return rule;
}

}  // namespace

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
