#include <freshguard/core/time.hpp>
#include <freshguard/metadata/result_json.hpp>
#include <freshguard/observability/logger.hpp>

namespace freshguard {
namespace {

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json baseline_json(const VolumeBaseline& b) {
  return {{"status", to_string(b.status)},
          {"method", to_string(b.method)},
          {"window_days", b.window_days},
          {"seasonality", to_string(b.seasonality)},
          {"points", b.points},
          {"required_points", b.required_points},
          {"excluded_points", b.excluded_points},
          {"centre", opt(b.centre)},
          {"spread", opt(b.spread)},
          {"lower_bound", opt(b.lower_bound)},
          {"upper_bound", opt(b.upper_bound)},
          {"threshold", b.threshold},
          {"threshold_unit", b.threshold_in_spreads ? "spreads" : "percent"},
          {"score", opt(b.score)},
          {"min_absolute_change", b.min_absolute_change}};
}

nlohmann::json change_json(const SchemaChange& c) {
  auto text_or_null = [](const std::string& t) {
    return t.empty() ? nlohmann::json(nullptr) : nlohmann::json(t);
  };
  return {{"change", to_string(c.kind)},          {"column", c.column},
          {"old_type", text_or_null(c.old_type)}, {"new_type", text_or_null(c.new_type)},
          {"old_nullable", opt(c.old_nullable)},  {"new_nullable", opt(c.new_nullable)},
          {"severity", to_string(c.severity)},    {"detail", c.detail}};
}

// The figures of volume_anomaly and schema_change results.
void history_figures(const CheckResult& r, nlohmann::json& j) {
  if (r.type == RuleType::kVolumeAnomaly) {
    j["row_count"] = opt(r.row_count);
    j["deviation_percent"] = opt(r.deviation_percent);
    j["baseline"] = r.baseline ? baseline_json(*r.baseline) : nlohmann::json(nullptr);
  }
  if (r.type == RuleType::kSchemaChange) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : r.schema_changes)
      changes.push_back(change_json(c));
    j["schema_changes"] = r.status == CheckStatus::kError ? nlohmann::json(nullptr) : changes;
    j["schema_baseline"] =
        r.schema_baseline ? nlohmann::json(to_string(*r.schema_baseline)) : nlohmann::json(nullptr);
    j["column_count"] = opt(r.column_count);
  }
}

}  // namespace

nlohmann::json result_to_json(const CheckResult& r, const obs::Redactor& redactor) {
  nlohmann::json j;
  j["rule_id"] = r.rule_id;
  j["type"] = to_string(r.type);
  j["source"] = r.source;
  j["table"] = r.table;
  j["status"] = to_string(r.status);
  j["severity"] = r.severity == Severity::kNone ? nlohmann::json(nullptr)
                                                : nlohmann::json(to_string(r.severity));
  j["message"] = redactor.redact(r.message);
  j["method"] = r.method ? nlohmann::json(to_string(*r.method)) : nlohmann::json(nullptr);
  if (r.type == RuleType::kFreshness) {
    j["lag_seconds"] = opt(r.lag_seconds);
    j["last_update"] =
        r.last_update ? nlohmann::json(format_iso8601(*r.last_update)) : nlohmann::json(nullptr);
    j["tolerance_seconds"] = opt(r.tolerance_seconds);
    j["alert_threshold_seconds"] = opt(r.alert_threshold_seconds);
  }
  if (r.type == RuleType::kFreshness || r.type == RuleType::kVolumeThreshold) {
    j["row_count"] = opt(r.row_count);
  }
  if (r.type == RuleType::kVolumeThreshold) {
    j["min_row_count"] = opt(r.min_row_count);
    j["max_row_count"] = opt(r.max_row_count);
  }
  history_figures(r, j);
  j["checked_at"] = format_iso8601(r.checked_at);
  j["duration_ms"] = static_cast<double>(r.duration.count()) / 1000.0;
  if (r.error) {
    j["error"] = {{"code", to_string(r.error->code)},
                  {"message", redactor.redact(r.error->message)}};
  }
  return j;
}

nlohmann::json execution_json(const ExecutionRecord& e, const obs::Redactor& redactor) {
  return {{"id", e.id},
          {"rule_id", e.rule_id},
          {"type", to_string(e.type)},
          {"source", e.source},
          {"table", e.table},
          {"status", to_string(e.status)},
          {"severity", e.severity == Severity::kNone ? nlohmann::json(nullptr)
                                                     : nlohmann::json(to_string(e.severity))},
          {"message", redactor.redact(e.message)},
          {"method", e.method ? nlohmann::json(to_string(*e.method)) : nlohmann::json(nullptr)},
          {"row_count", opt(e.row_count)},
          {"lag_seconds", opt(e.lag_seconds)},
          {"last_update", e.last_update ? nlohmann::json(format_iso8601(*e.last_update))
                                        : nlohmann::json(nullptr)},
          {"deviation_percent", opt(e.deviation_percent)},
          {"schema_changes", opt(e.schema_changes)},
          {"error", e.error_code ? nlohmann::json{{"code", to_string(*e.error_code)}}
                                 : nlohmann::json(nullptr)},
          {"duration_ms", static_cast<double>(e.duration.count()) / 1000.0},
          {"checked_at", format_iso8601(e.checked_at)}};
}

void log_check_result(const CheckResult& r, std::string_view component) {
  obs::LogEvent ev;
  ev.level = r.status == CheckStatus::kError ? obs::LogLevel::kError : obs::LogLevel::kInfo;
  ev.component = std::string(component);
  ev.action = "check.finished";
  ev.source = r.source;
  ev.table = r.table;
  ev.duration_ms = static_cast<double>(r.duration.count()) / 1000.0;
  if (r.error) ev.error = std::string(to_string(r.error->code));
  ev.message = r.message;
  ev.fields = {{"rule_id", r.rule_id}, {"status", std::string(to_string(r.status))}};
  obs::logger().log(ev);
}

}  // namespace freshguard
