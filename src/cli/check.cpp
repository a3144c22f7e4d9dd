// `freshguard check`: run the selected rules concurrently, one connector per source.

#include <algorithm>
#include <atomic>
#include <map>
#include <ostream>
#include <thread>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/metadata/factory.hpp>
#include <freshguard/monitors/monitors.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/printable.hpp>

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

bool needs_store(const Rule* rule) {
  return rule->type == RuleType::kVolumeAnomaly || rule->type == RuleType::kSchemaChange;
}

// The metadata store of this run, or why it could not be opened (a safe message).
struct History {
  std::unique_ptr<MetadataStore> store;
  std::optional<std::string> open_error;
};

// Opened when results are to be recorded or a selected rule reads baselines.
History open_history(const config::Config& cfg, const std::vector<const Rule*>& rules,
                     bool no_history) {
  History h;
  if (no_history && std::none_of(rules.begin(), rules.end(), needs_store)) return h;
  try {
    h.store = open_metadata_store(cfg.metadata);
  } catch (const Error& e) {
    h.open_error = e.what();
    obs::logger().log({.level = obs::LogLevel::kError,
                       .component = "metadata",
                       .action = "store.open_failed",
                       .error = std::string(to_string(e.code())),
                       .message = e.what()});
  }
  return h;
}

CheckResult check_one(const Rule& rule, Connectors& conns, const History& history) {
  auto it = conns.ready.find(rule.source);
  std::optional<CheckResult> early;
  if (it == conns.ready.end()) {
    early = error_result(rule, ConfigError(conns.failed.at(rule.source)));
  } else if (needs_store(&rule) && history.open_error) {
    early = error_result(rule, MetadataError(*history.open_error));
  }
  if (early) {
    early->checked_at = SystemClock::instance().wall_now();
    return std::move(*early);
  }
  return run_check(*it->second, rule, CheckContext{&SystemClock::instance(), history.store.get()});
}

std::vector<CheckResult> run_all(const std::vector<const Rule*>& rules, Connectors& conns,
                                 const History& history, int concurrency) {
  std::vector<CheckResult> results(rules.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < rules.size(); i = next++) {
      results[i] = check_one(*rules[i], conns, history);
      log_check_result(results[i], "monitor");
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

// Records every result (messages redacted) and prunes history past the retention. A failure
// is reported on `err` and in the log, never swallowed.
HistoryOutcome record_history(const History& history, const std::vector<CheckResult>& results,
                              const config::Config& cfg, bool no_history, std::ostream& err) {
  HistoryOutcome outcome;
  if (no_history) {
    outcome.state = HistoryOutcome::State::kDisabled;
    return outcome;
  }
  const obs::Redactor& redactor = obs::logger().redactor();
  try {
    if (!history.store) throw MetadataError(history.open_error.value_or("no metadata store"));
    std::vector<CheckResult> redacted = results;
    for (auto& r : redacted) {
      r.message = redactor.redact(r.message);
      if (r.error) r.error->message = redactor.redact(r.error->message);
    }
    history.store->record_executions(redacted);
    outcome.recorded = static_cast<int>(redacted.size());
    const auto cutoff =
        SystemClock::instance().wall_now() - std::chrono::days(cfg.metadata.retention_days);
    outcome.pruned = history.store->prune_history(cutoff);
    outcome.state = HistoryOutcome::State::kRecorded;
  } catch (const Error& e) {
    outcome.state = HistoryOutcome::State::kFailed;
    outcome.error = CheckError{e.code(), redactor.redact(e.what())};
    err << "freshguard: the results were not recorded in the metadata store: "
        << obs::printable(outcome.error->message) << '\n';
    obs::logger().log({.level = obs::LogLevel::kError,
                       .component = "metadata",
                       .action = "history.record_failed",
                       .error = std::string(to_string(e.code())),
                       .message = e.what()});
  }
  return outcome;
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
  const History history = open_history(*cfg, selected, opts.no_history);
  const std::vector<CheckResult> results = run_all(selected, conns, history, opts.concurrency);
  const HistoryOutcome recorded = record_history(history, results, *cfg, opts.no_history, err);

  const obs::Redactor& redactor = obs::logger().redactor();
  if (json) {
    render_json(results, started, redactor, out, &recorded);
  } else {
    render_table(results, redactor, out);
  }
  const Summary s = summarize(results);
  if (s.error > 0 || recorded.state == HistoryOutcome::State::kFailed) return kExitError;
  if (s.alert > 0) return kExitAlert;
  return kExitOk;
}

}  // namespace freshguard::cli
