#pragma once
// The state of a Daemon, shared by daemon.cpp (running checks) and daemon_metrics.cpp
// (rendering /metrics). Private to src/daemon.

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <freshguard/alerts/alerts.hpp>
#include <freshguard/connectors/connector.hpp>
#include <freshguard/daemon/daemon.hpp>
#include <freshguard/daemon/scheduler.hpp>
#include <freshguard/observability/metrics.hpp>

namespace freshguard::daemon {

// One loaded configuration with its connectors. Checks hold it by shared_ptr, so a reload
// never pulls a connector from under a running check.
struct Generation {
  config::Config config;
  std::map<std::string, std::shared_ptr<Connector>> connectors;  // by source name
  std::map<std::string, std::string> connector_errors;           // source -> safe message
  std::map<std::string, const Rule*> rules;                      // by id
};

struct Job {
  std::string rule_id;
  std::shared_ptr<const Generation> generation;
};

struct Daemon::Impl {
  DaemonOptions options;
  const Clock& clock;
  Random& random;
  std::unique_ptr<MetadataStore> store;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<const Generation> generation;
  Scheduler scheduler;
  std::deque<Job> jobs;
  int executing = 0;
  bool started = false;
  bool stopping = false;
  std::map<std::string, CheckResult> last;
  alerts::AlertTracker tracker;
  std::uint64_t completed = 0;
  SteadyTime next_prune{};

  std::unique_ptr<alerts::Dispatcher> dispatcher;
  mutable std::mutex scrape_mu;  // one /metrics refresh at a time
  mutable obs::MetricsRegistry metrics;
  std::vector<std::jthread> threads;

  Impl(config::Config cfg, std::unique_ptr<MetadataStore> s, DaemonOptions o);

  std::shared_ptr<const Generation> build(config::Config cfg) const;
  std::vector<ScheduledRule> schedule_of(const Generation& g) const;
  void apply(std::shared_ptr<const Generation> g);  // mu held
  void schedule_loop();
  void worker_loop();
  void run_job(const Job& job);
  void record(const CheckResult& result);
  void prune(int retention_days);  // mu not held

  void declare_metrics();
  void refresh_metrics(const Generation& g, const std::map<std::string, CheckResult>& last) const;
};

}  // namespace freshguard::daemon
