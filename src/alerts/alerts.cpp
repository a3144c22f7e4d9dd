// AlertTracker and the notification payloads.

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include <freshguard/alerts/alerts.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/observability/logger.hpp>

#include "alerts/chat_text.hpp"

namespace freshguard::alerts {
namespace {

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

enum class Markup { kPlain, kSlack };

// Text for people: "[ALERT] orders_fresh (warehouse.orders): data is 3h old". Every part is
// shown with control characters escaped (a newline is kept in a Slack message only); for
// Slack, `&`, `<` and `>` are escaped too, so names and messages carry no mentions or links.
std::string headline(const AlertEvent& e, Markup markup) {
  const bool slack = markup == Markup::kSlack;
  const auto shown = [slack](std::string_view text, bool keep_newlines) {
    const std::string safe = escape_control(text, keep_newlines);
    return slack ? escape_slack(safe) : safe;
  };
  std::string kind = e.kind == AlertKind::kAlert      ? "ALERT"
                     : e.kind == AlertKind::kRecovery ? "RECOVERED"
                                                      : "ERROR";
  if (e.kind == AlertKind::kAlert && e.severity != Severity::kNone) {
    kind += " " + std::string(to_string(e.severity));
  }
  return "[" + kind + "] " + shown(e.rule_id, false) + " (" + shown(e.source, false) + "." +
         shown(e.table, false) + "): " + shown(e.message, slack);
}

}  // namespace

std::string_view to_string(AlertKind k) noexcept {
  switch (k) {
    case AlertKind::kAlert:
      return "alert";
    case AlertKind::kRecovery:
      return "recovery";
    case AlertKind::kError:
      break;
  }
  return "error";
}

std::string to_json(const AlertEvent& e) {
  nlohmann::json j = {
      {"event", to_string(e.kind)},
      {"rule_id", e.rule_id},
      {"type", to_string(e.type)},
      {"source", e.source},
      {"table", e.table},
      {"status", to_string(e.status)},
      {"previous_status", to_string(e.previous_status)},
      {"severity", e.severity == Severity::kNone ? nlohmann::json(nullptr)
                                                 : nlohmann::json(to_string(e.severity))},
      {"message", e.message},
      {"lag_seconds", opt(e.lag_seconds)},
      {"row_count", opt(e.row_count)},
      {"error_code", opt(e.error_code)},
      {"checked_at", format_iso8601(e.checked_at)},
      {"dedup_key", e.dedup_key},
  };
  return dump(j);
}

std::string to_slack_json(const AlertEvent& e) {
  return dump({{"text", headline(e, Markup::kSlack)}});
}

std::string to_pagerduty_json(const AlertEvent& e, const std::string& routing_key) {
  nlohmann::json j = {{"routing_key", routing_key}, {"dedup_key", e.dedup_key}};
  if (e.kind == AlertKind::kRecovery) {
    j["event_action"] = "resolve";
    return dump(j);
  }
  j["event_action"] = "trigger";
  const std::string severity = e.kind == AlertKind::kError         ? "error"
                               : e.severity == Severity::kCritical ? "critical"
                                                                   : "warning";
  const std::string source = escape_control(e.source, false);
  j["payload"] = {{"summary", headline(e, Markup::kPlain).substr(0, 1024)},
                  {"source", source},
                  {"severity", severity},
                  {"component", escape_control(e.table, false)},
                  {"group", source},
                  {"class", to_string(e.type)},
                  {"timestamp", format_iso8601(e.checked_at)},
                  {"custom_details", nlohmann::json::parse(to_json(e))}};
  return dump(j);
}

std::optional<AlertEvent> AlertTracker::observe(const CheckResult& r, SteadyTime now) {
  State& st = rules_.try_emplace(r.rule_id).first->second;
  const CheckStatus previous = st.status;
  st.status = r.status;
  std::optional<AlertKind> kind;
  if (r.status == CheckStatus::kOk) {
    if (previous != CheckStatus::kOk && st.open) kind = AlertKind::kRecovery;
  } else if (r.status != previous) {
    kind = r.status == CheckStatus::kAlert ? AlertKind::kAlert : AlertKind::kError;
    const bool cooling =
        st.last_notified && cooldown_.count() > 0 && now - *st.last_notified < cooldown_;
    if (cooling) {
      obs::logger().log({.level = obs::LogLevel::kInfo,
                         .component = "alerts",
                         .action = "alert.suppressed",
                         .source = r.source,
                         .table = r.table,
                         .message = "rule " + r.rule_id + " is in its alert cooldown"});
      kind.reset();
    }
  }
  if (!kind) return std::nullopt;
  if (*kind == AlertKind::kRecovery) {
    st.open = false;
  } else {
    st.open = true;
    st.last_notified = now;
  }
  const obs::Redactor& redactor = obs::logger().redactor();
  AlertEvent e;
  e.kind = *kind;
  e.rule_id = r.rule_id;
  e.type = r.type;
  e.source = r.source;
  e.table = r.table;
  e.status = r.status;
  e.previous_status = previous;
  e.severity = r.severity;
  e.message = redactor.redact(r.error ? r.error->message : r.message);
  e.lag_seconds = r.lag_seconds;
  e.row_count = r.row_count;
  if (r.error) e.error_code = std::string(to_string(r.error->code));
  e.checked_at = r.checked_at;
  e.dedup_key = "freshguard/" + r.rule_id;
  return e;
}

void AlertTracker::retain(const std::vector<std::string>& keep) {
  const std::set<std::string> ids(keep.begin(), keep.end());
  std::erase_if(rules_, [&ids](const auto& kv) { return ids.count(kv.first) == 0; });
}

}  // namespace freshguard::alerts
