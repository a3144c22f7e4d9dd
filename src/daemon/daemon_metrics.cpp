// Daemon::metrics_text: every metric `serve` exports, declared in one place.

#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/observability/query_metrics.hpp>

#include "daemon/daemon_impl.hpp"

namespace freshguard::daemon {
namespace {

using obs::MetricType;

struct Declaration {
  const char* name;
  MetricType type;
  const char* help;
};

constexpr Declaration kMetrics[] = {
    {"freshguard_up", MetricType::kGauge, "1 while serve is running"},
    {"freshguard_rules", MetricType::kGauge, "Rules in the loaded configuration"},
    {"freshguard_checks_in_flight", MetricType::kGauge, "Checks running now"},
    {"freshguard_rule_status", MetricType::kGauge,
     "Last status of each rule: 0 ok, 1 alert, 2 error"},
    {"freshguard_rule_lag_seconds", MetricType::kGauge,
     "Freshness lag of each rule at its last check"},
    {"freshguard_rule_rows", MetricType::kGauge,
     "Row count of each rule's table at its last check"},
    {"freshguard_rule_last_check_timestamp_seconds", MetricType::kGauge,
     "When each rule was last checked (Unix time)"},
    {"freshguard_checks_total", MetricType::kCounter, "Checks run, by rule and status"},
    {"freshguard_history_record_failures_total", MetricType::kCounter,
     "Check results that could not be recorded in the metadata store"},
    {"freshguard_config_reloads_total", MetricType::kCounter, "Config reloads by result"},
    {"freshguard_queries_total", MetricType::kCounter,
     "Connector calls by source, table and operation"},
    {"freshguard_query_failures_total", MetricType::kCounter,
     "Failed connector calls by source, table and operation"},
    {"freshguard_query_errors_total", MetricType::kCounter,
     "Failed connector calls by stable error code"},
    {"freshguard_query_duration_seconds", MetricType::kSummary,
     "Connector call latency (all retry attempts), quantiles from a fixed-memory histogram"},
    {"freshguard_query_duration_max_seconds", MetricType::kGauge, "Slowest connector call"},
    {"freshguard_query_duration_min_seconds", MetricType::kGauge, "Fastest connector call"},
    {"freshguard_circuit_breaker_state", MetricType::kGauge,
     "Circuit breaker of each source: 0 closed, 1 open, 2 half_open"},
    {"freshguard_circuit_breaker_opened_total", MetricType::kCounter,
     "Times each source's breaker opened"},
    {"freshguard_circuit_breaker_rejected_total", MetricType::kCounter,
     "Calls each source's breaker refused"},
    {"freshguard_pool_connections", MetricType::kGauge,
     "Pooled connections of server sources by state (idle, in_use)"},
    {"freshguard_pool_waiting", MetricType::kGauge, "Callers waiting for a pooled connection"},
    {"freshguard_alerts_delivered_total", MetricType::kCounter, "Alert notifications delivered"},
    {"freshguard_alert_delivery_failures_total", MetricType::kCounter,
     "Failed alert delivery attempts"},
    {"freshguard_alerts_dropped_total", MetricType::kCounter,
     "Alert notifications given up after every retry"},
    {"freshguard_alerts_queued", MetricType::kGauge, "Alert deliveries waiting"},
};

// Series rebuilt at every scrape from state kept elsewhere.
constexpr const char* kRefreshed[] = {"freshguard_rule_status",
                                      "freshguard_rule_lag_seconds",
                                      "freshguard_rule_rows",
                                      "freshguard_rule_last_check_timestamp_seconds",
                                      "freshguard_queries_total",
                                      "freshguard_query_failures_total",
                                      "freshguard_query_errors_total",
                                      "freshguard_query_duration_seconds",
                                      "freshguard_query_duration_max_seconds",
                                      "freshguard_query_duration_min_seconds",
                                      "freshguard_circuit_breaker_state",
                                      "freshguard_circuit_breaker_opened_total",
                                      "freshguard_circuit_breaker_rejected_total",
                                      "freshguard_pool_connections",
                                      "freshguard_pool_waiting"};

double seconds(std::chrono::microseconds d) {
  return static_cast<double>(d.count()) / 1e6;
}

void export_query_metrics(obs::MetricsRegistry& m) {
  for (const auto& [key, q] : obs::QueryMetrics::global().snapshot()) {
    const obs::Labels l = {{"source", key.source},
                           {"table", key.table},
                           {"operation", std::string(obs::to_string(key.operation))}};
    m.set("freshguard_queries_total", l, static_cast<double>(q.total));
    m.set("freshguard_query_failures_total", l, static_cast<double>(q.failed));
    for (const auto& [code, n] : q.errors_by_code) {
      obs::Labels with_code = l;
      with_code["code"] = code;
      m.set("freshguard_query_errors_total", with_code, static_cast<double>(n));
    }
    m.set_summary("freshguard_query_duration_seconds", l,
                  {{0.5, seconds(q.p50())}, {0.95, seconds(q.p95())}, {0.99, seconds(q.p99())}},
                  seconds(q.total_duration), static_cast<double>(q.total));
    m.set("freshguard_query_duration_max_seconds", l, seconds(q.max_duration));
    m.set("freshguard_query_duration_min_seconds", l, seconds(q.min_duration));
  }
}

void export_pool(obs::MetricsRegistry& m, const std::string& source,
                 const connectors::PoolStatus& s) {
  m.set("freshguard_pool_connections", {{"source", source}, {"state", "idle"}}, s.idle);
  m.set("freshguard_pool_connections", {{"source", source}, {"state", "in_use"}}, s.in_use);
  m.set("freshguard_pool_waiting", {{"source", source}}, s.waiting);
}

void export_connector(obs::MetricsRegistry& m, const std::string& source, Connector& c) {
  auto* resilient = dynamic_cast<ResilientConnector*>(&c);
  if (resilient == nullptr) return;
  if (auto snap = resilient->breaker_snapshot()) {
    m.set("freshguard_circuit_breaker_state", {{"source", source}},
          static_cast<double>(static_cast<int>(snap->state)));
    m.set("freshguard_circuit_breaker_opened_total", {{"source", source}},
          static_cast<double>(snap->times_opened));
    m.set("freshguard_circuit_breaker_rejected_total", {{"source", source}},
          static_cast<double>(snap->rejected));
  }
  if (const auto pool = c.pool_status()) export_pool(m, source, *pool);
}

}  // namespace

void Daemon::Impl::declare_metrics() {
  for (const auto& d : kMetrics)
    metrics.declare(d.name, d.help, d.type);
  metrics.declare("freshguard_check_duration_seconds",
                  "Duration of each check by source and rule type", MetricType::kHistogram,
                  obs::default_duration_buckets());
  metrics.set("freshguard_up", {}, 1);
}

void Daemon::Impl::refresh_metrics(const Generation& g,
                                   const std::map<std::string, CheckResult>& results) const {
  for (const char* name : kRefreshed)
    metrics.clear_series(name);
  metrics.set("freshguard_rules", {}, static_cast<double>(g.config.rules.size()));
  for (const auto& [id, r] : results) {
    const obs::Labels l = {{"rule", id}, {"source", r.source}, {"table", r.table}};
    metrics.set("freshguard_rule_status", l, static_cast<double>(static_cast<int>(r.status)));
    if (r.lag_seconds)
      metrics.set("freshguard_rule_lag_seconds", l, static_cast<double>(*r.lag_seconds));
    if (r.row_count) metrics.set("freshguard_rule_rows", l, static_cast<double>(*r.row_count));
    metrics.set("freshguard_rule_last_check_timestamp_seconds", l,
                static_cast<double>(r.checked_at.time_since_epoch().count()) / 1e6);
  }
  export_query_metrics(metrics);
  for (const auto& [source, conn] : g.connectors)
    export_connector(metrics, source, *conn);
  const auto a = dispatcher->stats();
  metrics.set("freshguard_alerts_delivered_total", {}, static_cast<double>(a.delivered));
  metrics.set("freshguard_alert_delivery_failures_total", {},
              static_cast<double>(a.failed_attempts));
  metrics.set("freshguard_alerts_dropped_total", {}, static_cast<double>(a.dropped));
  metrics.set("freshguard_alerts_queued", {}, static_cast<double>(a.queued));
}

std::string Daemon::metrics_text() const {
  std::shared_ptr<const Generation> g;
  std::map<std::string, CheckResult> last;
  int executing = 0;
  {
    const std::lock_guard lock(impl_->mu);
    g = impl_->generation;
    last = impl_->last;
    executing = impl_->executing;
  }
  const std::lock_guard scrape(impl_->scrape_mu);
  impl_->metrics.set("freshguard_checks_in_flight", {}, executing);
  impl_->refresh_metrics(*g, last);
  return impl_->metrics.render();
}

}  // namespace freshguard::daemon
