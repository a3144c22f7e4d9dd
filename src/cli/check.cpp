// `freshguard check`: run the selected rules concurrently, one connector per source.

#include <algorithm>
#include <atomic>
#include <map>
#include <ostream>
#include <thread>

#include <freshguard/connectors/factory.hpp>
#include <freshguard/monitors/monitors.hpp>
#include <freshguard/observability/logger.hpp>

#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/render.hpp"

namespace freshguard::cli {
namespace {

// The connectors of the sources the selected rules use, or why one could not be made.
struct Connectors {
  std::map<std::string, std::unique_ptr<Connector>> ready;
  std::map<std::string, std::string> failed;
};

Connectors make_connectors(const config::Config& cfg, const std::vector<const Rule*>& rules) {
  Connectors c;
  for (const Rule* rule : rules) {
    if (c.ready.count(rule->source) != 0 || c.failed.count(rule->source) != 0) continue;
    try {
      c.ready.emplace(rule->source, make_connector(cfg.sources.at(rule->source)));
    } catch (const Error& e) {
      c.failed.emplace(rule->source, e.what());
    }
  }
  return c;
}

void log_result(const CheckResult& r) {
  obs::LogEvent ev;
  ev.level = r.status == CheckStatus::kError ? obs::LogLevel::kError : obs::LogLevel::kInfo;
  ev.component = "monitor";
  ev.action = "check.finished";
  ev.source = r.source;
  ev.table = r.table;
  ev.duration_ms = static_cast<double>(r.duration.count()) / 1000.0;
  if (r.error) ev.error = std::string(to_string(r.error->code));
  ev.message = r.message;
  ev.fields = {{"rule_id", r.rule_id}, {"status", std::string(to_string(r.status))}};
  obs::logger().log(ev);
}

std::vector<CheckResult> run_all(const std::vector<const Rule*>& rules, Connectors& conns,
                                 int concurrency) {
  std::vector<CheckResult> results(rules.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < rules.size(); i = next++) {
      const Rule& rule = *rules[i];
      auto it = conns.ready.find(rule.source);
      if (it == conns.ready.end()) {
        results[i] = error_result(rule, ConfigError(conns.failed.at(rule.source)));
        results[i].checked_at = SystemClock::instance().wall_now();
      } else {
        results[i] = run_check(*it->second, rule);
      }
      log_result(results[i]);
    }
  };
  const size_t n_workers = std::min(rules.size(), static_cast<size_t>(concurrency));
  std::vector<std::jthread> workers;
  workers.reserve(n_workers);
  for (size_t w = 0; w < n_workers; ++w)
    workers.emplace_back(worker);
  workers.clear();  // joins
  return results;
}

}  // namespace

int cmd_check(const GlobalOptions& g, const CheckOptions& opts, std::ostream& out,
              std::ostream& err) {
  const bool json = opts.format == "json";
  auto cfg = load_and_setup(g, err, json ? &out : nullptr);
  if (!cfg) return kExitConfig;

  std::vector<const Rule*> selected;
  for (const auto& id : opts.rules) {
    auto it = std::find_if(cfg->rules.begin(), cfg->rules.end(),
                           [&](const Rule& r) { return r.id == id; });
    if (it == cfg->rules.end()) {
      err << "--rule: no rule with id \"" << id << "\" in " << g.config_path << '\n';
      return kExitUsage;
    }
    if (std::find(selected.begin(), selected.end(), &*it) == selected.end()) {
      selected.push_back(&*it);
    }
  }
  if (opts.rules.empty()) {
    for (const auto& r : cfg->rules)
      selected.push_back(&r);
  }

  const WallTime started = SystemClock::instance().wall_now();
  Connectors conns = make_connectors(*cfg, selected);
  const std::vector<CheckResult> results = run_all(selected, conns, opts.concurrency);

  const obs::Redactor& redactor = obs::logger().redactor();
  if (json) {
    render_json(results, started, redactor, out);
  } else {
    render_table(results, redactor, out);
  }
  const Summary s = summarize(results);
  if (s.error > 0) return kExitError;
  if (s.alert > 0) return kExitAlert;
  return kExitOk;
}

}  // namespace freshguard::cli
