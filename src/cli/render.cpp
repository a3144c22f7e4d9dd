#include "cli/render.hpp"

#include <algorithm>
#include <ostream>

#include <freshguard/core/time.hpp>
#include <freshguard/core/version.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/printable.hpp>

namespace freshguard::cli {
namespace {

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

}  // namespace freshguard::cli
