#include "cli/render.hpp"

#include <algorithm>
#include <ostream>

#include <freshguard/core/time.hpp>
#include <freshguard/core/version.hpp>

namespace freshguard::cli {
namespace {

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
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
  j["checked_at"] = format_iso8601(r.checked_at);
  j["duration_ms"] = static_cast<double>(r.duration.count()) / 1000.0;
  if (r.error) {
    j["error"] = {{"code", to_string(r.error->code)},
                  {"message", redactor.redact(r.error->message)}};
  }
  return j;
}

void render_json(const std::vector<CheckResult>& results, WallTime started,
                 const obs::Redactor& redactor, std::ostream& out) {
  const Summary s = summarize(results);
  nlohmann::json doc;
  doc["version"] = std::string(version());
  doc["checked_at"] = format_iso8601(started);
  doc["summary"] = {{"total", s.total}, {"ok", s.ok}, {"alert", s.alert}, {"error", s.error}};
  doc["results"] = nlohmann::json::array();
  for (const auto& r : results)
    doc["results"].push_back(result_to_json(r, redactor));
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_columns(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
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

}  // namespace freshguard::cli
