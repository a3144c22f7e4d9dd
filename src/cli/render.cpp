#include "cli/render.hpp"

#include <algorithm>
#include <ostream>

#include <freshguard/core/time.hpp>
#include <freshguard/core/version.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/printable.hpp>

namespace freshguard::cli {
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

nlohmann::json history_json(const HistoryOutcome& h) {
  switch (h.state) {
    case HistoryOutcome::State::kRecorded:
      return {{"status", "recorded"}, {"recorded", h.recorded}, {"pruned", h.pruned}};
    case HistoryOutcome::State::kDisabled:
      return {{"status", "disabled"}};
    case HistoryOutcome::State::kFailed:
      break;
  }
  return {{"status", "failed"},
          {"error", {{"code", to_string(h.error->code)}, {"message", h.error->message}}}};
}

std::string status_cell(const CheckResult& r) {
  if (r.status == CheckStatus::kAlert) {
    return "alert (" + std::string(to_string(r.severity)) + ")";
  }
  return std::string(to_string(r.status));
}

}  // namespace

Summary summarize(const std::vector<CheckResult>& results) {
  Summary s;
  for (const auto& r : results) {
    ++s.total;
    switch (r.status) {
      case CheckStatus::kOk:
        ++s.ok;
        break;
      case CheckStatus::kAlert:
        ++s.alert;
        break;
      case CheckStatus::kError:
        ++s.error;
        break;
    }
  }
  return s;
}

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

void render_json(const std::vector<CheckResult>& results, WallTime started,
                 const obs::Redactor& redactor, std::ostream& out, const HistoryOutcome* history) {
  const Summary s = summarize(results);
  nlohmann::json doc;
  doc["version"] = std::string(version());
  doc["checked_at"] = format_iso8601(started);
  doc["summary"] = {{"total", s.total}, {"ok", s.ok}, {"alert", s.alert}, {"error", s.error}};
  doc["results"] = nlohmann::json::array();
  for (const auto& r : results)
    doc["results"].push_back(result_to_json(r, redactor));
  if (history != nullptr) doc["history"] = history_json(*history);
  out << dump_json(doc) << '\n';
}

std::string dump_json(const nlohmann::json& doc) {
  return obs::escape_json_controls(
      doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

void print_columns(const std::vector<std::vector<std::string>>& raw_rows, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(raw_rows.size());
  for (const auto& raw : raw_rows) {
    auto& row = rows.emplace_back();
    for (const auto& cell : raw)
      row.push_back(obs::printable(cell));
  }
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

void render_table(const std::vector<CheckResult>& results, const obs::Redactor& redactor,
                  std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"RULE", "SOURCE", "TABLE", "STATUS", "DETAIL"});
  for (const auto& r : results) {
    std::string detail = redactor.redact(r.message);
    if (r.error) detail = std::string(to_string(r.error->code)) + ": " + detail;
    rows.push_back({r.rule_id, r.source, r.table, status_cell(r), detail});
  }
  print_columns(rows, out);
  const Summary s = summarize(results);
  out << '\n'
      << s.total << (s.total == 1 ? " rule: " : " rules: ") << s.ok << " ok, " << s.alert
      << " alert, " << s.error << " error\n";
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

}  // namespace freshguard::cli
