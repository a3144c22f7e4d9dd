// `freshguard baseline approve`: accept a rule's current state as its baseline.

#include <algorithm>
#include <ostream>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/metadata/factory.hpp>
#include <freshguard/monitors/approval.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/printable.hpp>

#include "cli/app.hpp"
#include "cli/commands.hpp"

namespace freshguard::cli {

int cmd_baseline_approve(const GlobalOptions& g, const ApproveOptions& opts, std::ostream& out,
                         std::ostream& err) {
  auto cfg = load_and_setup(g, err, nullptr);
  if (!cfg) return kExitConfig;
  const auto it = std::find_if(cfg->rules.begin(), cfg->rules.end(),
                               [&](const Rule& r) { return r.id == opts.rule; });
  if (it == cfg->rules.end()) {
    err << "--rule: no rule with id \"" << opts.rule << "\" in " << g.config_path << '\n';
    return kExitUsage;
  }
  const Rule& rule = *it;
  if (rule.type != RuleType::kSchemaChange && rule.type != RuleType::kVolumeAnomaly) {
    err << "baseline approve: rule \"" << rule.id << "\" is a " << to_string(rule.type)
        << " rule; only schema_change and volume_anomaly rules have a baseline to approve\n";
    return kExitUsage;
  }
  const obs::Redactor& redactor = obs::logger().redactor();
  try {
    auto store = open_metadata_store(cfg->metadata);
    auto connector = make_connector(cfg->sources.at(rule.source));
    const std::string by = !opts.by.empty() ? opts.by : config::process_env()("USER").value_or("");
    const Approval approval{rule.id, SystemClock::instance().wall_now(), by, opts.note};
    const auto snapshot = approve_baseline(*connector, rule, *store, approval);
    obs::logger().log({.level = obs::LogLevel::kInfo,
                       .component = "metadata",
                       .action = "baseline.approved",
                       .source = rule.source,
                       .table = rule.table,
                       .fields = {{"rule_id", rule.id}, {"approved_by", by}}});
    if (snapshot) {
      out << "approved: rule " << rule.id << " now expects the current schema of "
          << snapshot->table << " (" << snapshot->columns.size()
          << (snapshot->columns.size() == 1 ? " column)\n" : " columns)\n");
    } else {
      out << "approved: the alerting row counts of rule " << rule.id
          << " recorded so far are part of its baseline from the next check\n";
    }
    return kExitOk;
  } catch (const Error& e) {
    err << "baseline approve: " << to_string(e.code()) << ": "
        << obs::printable(redactor.redact(e.what())) << '\n';
    return kExitError;
  }
}

}  // namespace freshguard::cli
