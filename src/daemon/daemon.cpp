// Daemon: the scheduling loop, the workers, reloads and the status API.

#include <algorithm>

#include <nlohmann/json.hpp>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/metadata/result_json.hpp>
#include <freshguard/monitors/monitors.hpp>
#include <freshguard/observability/logger.hpp>

#include "daemon/daemon_impl.hpp"

namespace freshguard::daemon {
namespace {

constexpr std::chrono::hours kPruneEvery{1};

std::string dump(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

bool same_metadata(const config::MetadataConfig& a, const config::MetadataConfig& b) {
  return a.backend == b.backend && a.path == b.path && a.url == b.url;
}

std::vector<std::shared_ptr<alerts::AlertSink>> make_sinks(const config::AlertsConfig& a) {
  std::vector<std::shared_ptr<alerts::AlertSink>> sinks;
  for (const auto& s : a.sinks)
    sinks.push_back(alerts::make_sink(s));
  return sinks;
}

}  // namespace

Daemon::Impl::Impl(config::Config cfg, std::unique_ptr<MetadataStore> s, DaemonOptions o)
    : options(std::move(o)),
      clock(options.clock != nullptr ? *options.clock : SystemClock::instance()),
      random(options.random != nullptr ? *options.random : SystemRandom::instance()),
      store(std::move(s)),
      scheduler(options.scheduler, random) {
  if (store == nullptr) throw std::invalid_argument("Daemon: no metadata store");
  declare_metrics();
  dispatcher = std::make_unique<alerts::Dispatcher>(options.dispatcher, clock);
  const std::lock_guard lock(mu);
  apply(build(std::move(cfg)));
}

std::shared_ptr<const Generation> Daemon::Impl::build(config::Config cfg) const {
  auto g = std::make_shared<Generation>();
  g->config = std::move(cfg);
  for (const auto& rule : g->config.rules) {
    g->rules.emplace(rule.id, &rule);
    const auto& source = rule.source;
    if (g->connectors.count(source) != 0 || g->connector_errors.count(source) != 0) continue;
    try {
      g->connectors.emplace(source, make_connector(g->config.sources.at(source), clock));
    } catch (const Error& e) {
      g->connector_errors.emplace(source, e.what());
    }
  }
  return g;
}

std::vector<ScheduledRule> Daemon::Impl::schedule_of(const Generation& g) const {
  std::vector<ScheduledRule> out;
  for (const auto& rule : g.config.rules) {
    const std::chrono::microseconds interval =
        options.interval_override ? std::chrono::microseconds(*options.interval_override)
                                  : std::chrono::microseconds(rule.check_interval);
    out.push_back({rule.id, rule.source, interval});
  }
  return out;
}

void Daemon::Impl::apply(std::shared_ptr<const Generation> g) {
  scheduler.set_rules(schedule_of(*g), clock.steady_now());
  std::vector<std::string> ids;
  for (const auto& r : g->config.rules)
    ids.push_back(r.id);
  tracker.set_cooldown(std::chrono::minutes(g->config.alerts.cooldown_minutes));
  tracker.retain(ids);
  std::erase_if(last, [&g](const auto& kv) { return g->rules.count(kv.first) == 0; });
  dispatcher->set_sinks(make_sinks(g->config.alerts));
  generation = std::move(g);
  cv.notify_all();
}

void Daemon::Impl::prune(int days) {
  try {
    const auto n = store->prune_history(clock.wall_now() - std::chrono::days(days));
    obs::logger().log({.level = obs::LogLevel::kDebug,
                       .component = "daemon",
                       .action = "history.pruned",
                       .message = std::to_string(n) + " old executions deleted"});
  } catch (const Error& e) {
    obs::logger().log({.level = obs::LogLevel::kError,
                       .component = "metadata",
                       .action = "history.prune_failed",
                       .error = std::string(to_string(e.code())),
                       .message = e.what()});
  }
}

void Daemon::Impl::schedule_loop() {
  std::unique_lock lock(mu);
  while (!stopping) {
    const auto now = clock.steady_now();
    if (now >= next_prune) {
      next_prune = now + kPruneEvery;
      const int days = generation->config.metadata.retention_days;
      lock.unlock();
      prune(days);
      lock.lock();
      continue;
    }
    for (auto& id : scheduler.take_due(now))
      jobs.push_back({std::move(id), generation});
    if (!jobs.empty()) cv.notify_all();
    const auto next = scheduler.next_due();
    auto wake = std::min(next.value_or(next_prune), next_prune);
    if (wake <= now) {
      cv.wait(lock);  // due rules wait for a slot: a finish() or a reload wakes us
    } else {
      // Real waiting happens here only; logic reads the injected clock.
      cv.wait_for(lock, std::min<std::chrono::nanoseconds>(wake - now, std::chrono::seconds(1)));
    }
  }
}

void Daemon::Impl::worker_loop() {
  std::unique_lock lock(mu);
  for (;;) {
    cv.wait(lock, [this] { return stopping || !jobs.empty(); });
    if (stopping) return;  // queued jobs that have not started are dropped
    Job job = std::move(jobs.front());
    jobs.pop_front();
    ++executing;
    lock.unlock();
    run_job(job);
    lock.lock();
    --executing;
    scheduler.finish(job.rule_id, clock.steady_now());
    cv.notify_all();
  }
}

void Daemon::Impl::run_job(const Job& job) {
  const Generation& g = *job.generation;
  const Rule& rule = *g.rules.at(job.rule_id);
  CheckResult result;
  auto conn = g.connectors.find(rule.source);
  if (conn == g.connectors.end()) {
    result = error_result(rule, ConfigError(g.connector_errors.at(rule.source)));
    result.checked_at = clock.wall_now();
  } else {
    result = run_check(*conn->second, rule, CheckContext{&clock, store.get()});
  }
  log_check_result(result, "daemon");
  record(result);
  metrics.add("freshguard_checks_total",
              {{"rule", rule.id}, {"status", std::string(to_string(result.status))}});
  metrics.observe("freshguard_check_duration_seconds",
                  {{"source", rule.source}, {"type", std::string(to_string(rule.type))}},
                  static_cast<double>(result.duration.count()) / 1e6);
  std::optional<alerts::AlertEvent> event;
  {
    const std::lock_guard lock(mu);
    ++completed;
    if (generation->rules.count(rule.id) != 0) {
      event = tracker.observe(result, clock.steady_now());
      last.insert_or_assign(rule.id, std::move(result));
    }
  }
  if (event) dispatcher->enqueue(*event);
}

void Daemon::Impl::record(const CheckResult& result) {
  const obs::Redactor& redactor = obs::logger().redactor();
  CheckResult redacted = result;
  redacted.message = redactor.redact(redacted.message);
  if (redacted.error) redacted.error->message = redactor.redact(redacted.error->message);
  try {
    store->record_execution(redacted);
  } catch (const Error& e) {
    metrics.add("freshguard_history_record_failures_total", {});
    obs::logger().log({.level = obs::LogLevel::kError,
                       .component = "metadata",
                       .action = "history.record_failed",
                       .error = std::string(to_string(e.code())),
                       .message = e.what(),
                       .fields = {{"rule_id", result.rule_id}}});
  }
}

Daemon::Daemon(config::Config config, std::unique_ptr<MetadataStore> store, DaemonOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(store), std::move(options))) {}

Daemon::~Daemon() {
  stop(std::chrono::milliseconds(0));
  impl_->threads.clear();  // joins
}

void Daemon::start() {
  const std::lock_guard lock(impl_->mu);
  if (impl_->started) return;
  impl_->started = true;
  for (int i = 0; i < impl_->options.scheduler.max_concurrent; ++i)
    impl_->threads.emplace_back([this] { impl_->worker_loop(); });
  impl_->threads.emplace_back([this] { impl_->schedule_loop(); });
}

void Daemon::reload(config::Config config) {
  auto g = impl_->build(std::move(config));
  const std::lock_guard lock(impl_->mu);
  if (!same_metadata(g->config.metadata, impl_->generation->config.metadata)) {
    obs::logger().log({.level = obs::LogLevel::kWarn,
                       .component = "daemon",
                       .action = "config.metadata_changed",
                       .message = "the metadata: section changed; restart serve to apply it"});
  }
  impl_->apply(std::move(g));
  impl_->metrics.add("freshguard_config_reloads_total", {{"result", "success"}});
}

void Daemon::reload_failed() {
  impl_->metrics.add("freshguard_config_reloads_total", {{"result", "failure"}});
}

bool Daemon::stop(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  std::unique_lock lock(impl_->mu);
  impl_->stopping = true;
  impl_->jobs.clear();
  impl_->cv.notify_all();
  const bool drained =
      impl_->cv.wait_until(lock, deadline, [this] { return impl_->executing == 0; });
  lock.unlock();
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  impl_->dispatcher->drain(std::max(left, std::chrono::milliseconds(0)));
  return drained;
}

bool Daemon::ready(std::string* why) const {
  {
    const std::lock_guard lock(impl_->mu);
    if (impl_->generation == nullptr) {
      if (why != nullptr) *why = "no configuration loaded";
      return false;
    }
  }
  try {
    impl_->store->schema_version();
  } catch (const Error& e) {
    if (why != nullptr) *why = std::string("metadata store unreachable: ") + e.what();
    return false;
  }
  return true;
}

std::string Daemon::status_json() const {
  std::shared_ptr<const Generation> g;
  std::map<std::string, CheckResult> last;
  {
    const std::lock_guard lock(impl_->mu);
    g = impl_->generation;
    last = impl_->last;
  }
  const obs::Redactor& redactor = obs::logger().redactor();
  nlohmann::json doc = {{"generated_at", format_iso8601(impl_->clock.wall_now())},
                        {"results", nlohmann::json::array()},
                        {"pending", nlohmann::json::array()}};
  for (const auto& rule : g->config.rules) {
    auto it = last.find(rule.id);
    if (it == last.end()) {
      doc["pending"].push_back(rule.id);
    } else {
      doc["results"].push_back(result_to_json(it->second, redactor));
    }
  }
  return dump(doc);
}

std::optional<std::string> Daemon::history_json(const std::string& rule_id, int limit) const {
  {
    const std::lock_guard lock(impl_->mu);
    if (impl_->generation->rules.count(rule_id) == 0) return std::nullopt;
  }
  HistoryQuery q;
  q.rule_id = rule_id;
  q.limit = std::clamp(limit, 1, 1000);
  const auto records = impl_->store->history(q);
  const obs::Redactor& redactor = obs::logger().redactor();
  nlohmann::json doc = {{"rule_id", rule_id}, {"executions", nlohmann::json::array()}};
  for (const auto& e : records)
    doc["executions"].push_back(execution_json(e, redactor));
  return dump(doc);
}

std::uint64_t Daemon::checks_completed() const {
  const std::lock_guard lock(impl_->mu);
  return impl_->completed;
}

alerts::DispatcherStats Daemon::alert_stats() const {
  return impl_->dispatcher->stats();
}

}  // namespace freshguard::daemon
