#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/resilience/deadline.hpp>

namespace freshguard {
namespace {

using resilience::CircuitState;

void log_state_change(const std::string& source, CircuitState from, CircuitState to) {
  obs::LogEvent ev;
  ev.level = to == CircuitState::kOpen ? obs::LogLevel::kWarn : obs::LogLevel::kInfo;
  ev.component = "resilience";
  ev.action = "breaker." + std::string(to_string(to));
  ev.source = source;
  ev.message =
      "circuit breaker " + std::string(to_string(from)) + " -> " + std::string(to_string(to));
  obs::logger().log(ev);
}

void log_retry(const std::string& source, int attempt, const Error& e,
               std::chrono::microseconds pause) {
  obs::LogEvent ev;
  ev.level = obs::LogLevel::kInfo;
  ev.component = "resilience";
  ev.action = "retry";
  ev.source = source;
  ev.error = std::string(to_string(e.code()));
  ev.message = e.what();
  ev.fields = {{"failed_attempt", std::to_string(attempt)},
               {"pause_ms", std::to_string(pause.count() / 1000)}};
  obs::logger().log(ev);
}

void log_query(const obs::QueryMetricKey& key, std::chrono::microseconds d,
               const std::optional<ErrorCode>& code, bool unknown) {
  obs::LogEvent ev;
  ev.level = obs::LogLevel::kDebug;
  ev.component = "connector";
  ev.action = "query";
  ev.source = key.source;
  ev.table = key.table;
  ev.duration_ms = static_cast<double>(d.count()) / 1000.0;
  if (code) ev.error = std::string(to_string(*code));
  if (unknown) ev.error = "UNKNOWN";
  ev.fields = {{"operation", std::string(obs::to_string(key.operation))},
               {"success", code || unknown ? "false" : "true"}};
  obs::logger().log(ev);
}

}  // namespace

struct ResilientConnector::Impl {
  std::unique_ptr<Connector> inner;
  std::chrono::milliseconds timeout;
  const Clock& clock;
  std::optional<resilience::CircuitBreaker> breaker;
  std::optional<resilience::RetryPolicy> retry;
  obs::QueryMetrics* metrics;

  Impl(std::unique_ptr<Connector> c, ResilienceOptions& o)
      : inner(std::move(c)),
        timeout(o.timeout),
        clock(o.clock != nullptr ? *o.clock : SystemClock::instance()),
        metrics(o.query_metrics) {
    if (inner == nullptr) throw std::invalid_argument("ResilientConnector: no connector to wrap");
    const std::string& source = inner->source_name();
    if (o.breaker) {
      breaker.emplace(std::move(*o.breaker), clock, [&source](CircuitState from, CircuitState to) {
        log_state_change(source, from, to);
      });
    }
    if (o.retry) {
      auto& sleeper = o.sleeper != nullptr ? *o.sleeper : resilience::SystemSleeper::instance();
      auto& random = o.random != nullptr ? *o.random : SystemRandom::instance();
      retry.emplace(*o.retry, sleeper, random,
                    [&source](int attempt, const Error& e, std::chrono::microseconds pause) {
                      log_retry(source, attempt, e, pause);
                    });
    }
  }

  // The deadline of one call: `timeout` from now, or the caller's if that is earlier.
  resilience::Deadline deadline() const {
    auto own = resilience::Deadline::after(clock, timeout);
    const auto* outer = resilience::current_deadline();
    if (outer != nullptr && &outer->clock() == &clock) return own.earliest(*outer);
    return own;
  }

  // breaker( retry( deadline( call ) ) )
  void run(const std::function<void()>& call) {
    const auto guarded = [this, &call] {
      const auto limit = deadline();
      const auto attempt = [&call, &limit] {
        const resilience::DeadlineScope scope(limit);
        call();
      };
      if (retry) {
        retry->execute(attempt, limit);
      } else {
        attempt();
      }
    };
    if (breaker) {
      breaker->execute(guarded);
    } else {
      guarded();
    }
  }

  // run(), with its outcome and duration recorded in the query metrics (when enabled) and
  // logged as a `query` event at debug level.
  void measured(obs::QueryOperation op, const sql::QualifiedName* table,
                const std::function<void()>& call) {
    const bool log_it = obs::logger().enabled(obs::LogLevel::kDebug);
    if (metrics == nullptr && !log_it) {
      run(call);
      return;
    }
    obs::QueryMetricKey key{inner->source_name(), table ? table->display() : std::string(), op};
    const auto start = clock.steady_now();
    const auto done = [&](const std::optional<ErrorCode>& code, bool unknown) {
      const auto d =
          std::chrono::duration_cast<std::chrono::microseconds>(clock.steady_now() - start);
      if (metrics != nullptr) metrics->record(key, d, code, unknown);
      if (log_it) log_query(key, d, code, unknown);
    };
    try {
      run(call);
    } catch (const Error& e) {
      done(e.code(), false);
      throw;
    } catch (...) {
      done(std::nullopt, true);
      throw;
    }
    done(std::nullopt, false);
  }

  template <class F>
  std::invoke_result_t<F&> run_for(obs::QueryOperation op, const sql::QualifiedName* table, F&& f) {
    std::optional<std::invoke_result_t<F&>> out;
    measured(op, table, [&f, &out] { out.emplace(f()); });
    return std::move(*out);
  }
};

ResilientConnector::ResilientConnector(std::unique_ptr<Connector> inner, ResilienceOptions options)
    : impl_(std::make_unique<Impl>(std::move(inner), options)) {}

ResilientConnector::~ResilientConnector() = default;

const std::string& ResilientConnector::source_name() const noexcept {
  return impl_->inner->source_name();
}

const sql::Dialect& ResilientConnector::dialect() const noexcept {
  return impl_->inner->dialect();
}

void ResilientConnector::test_connection() {
  impl_->measured(obs::QueryOperation::kTestConnection, nullptr,
                  [this] { impl_->inner->test_connection(); });
}

std::vector<sql::QualifiedName> ResilientConnector::list_tables() {
  return impl_->run_for(obs::QueryOperation::kListTables, nullptr,
                        [this] { return impl_->inner->list_tables(); });
}

TableSchema ResilientConnector::table_schema(const sql::QualifiedName& table) {
  return impl_->run_for(obs::QueryOperation::kDescribe, &table,
                        [this, &table] { return impl_->inner->table_schema(table); });
}

std::optional<CatalogStats> ResilientConnector::catalog_stats(const sql::QualifiedName& table) {
  return impl_->run_for(obs::QueryOperation::kEstimate, &table,
                        [this, &table] { return impl_->inner->catalog_stats(table); });
}

std::shared_ptr<const TableSchema> ResilientConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->run_for(obs::QueryOperation::kDescribe, &table,
                        [this, &table] { return impl_->inner->cached_table_schema(table); });
}

sql::Value ResilientConnector::aggregate(const AggregateRequest& request) {
  const auto op = request.aggregate == sql::Aggregate::kCountAll ? obs::QueryOperation::kCount
                  : request.aggregate == sql::Aggregate::kMax    ? obs::QueryOperation::kMax
                                                                 : obs::QueryOperation::kMin;
  return impl_->run_for(op, &request.table,
                        [this, &request] { return impl_->inner->aggregate(request); });
}

QueryRows ResilientConnector::query(std::string_view sql) {
  return impl_->run_for(obs::QueryOperation::kQuery, nullptr,
                        [this, sql] { return impl_->inner->query(sql); });
}

std::optional<connectors::PoolStatus> ResilientConnector::pool_status() const {
  return impl_->inner->pool_status();
}

resilience::CircuitState ResilientConnector::circuit_state() const {
  return impl_->breaker ? impl_->breaker->state() : CircuitState::kClosed;
}

std::optional<resilience::CircuitBreakerSnapshot> ResilientConnector::breaker_snapshot() const {
  if (!impl_->breaker) return std::nullopt;
  return impl_->breaker->snapshot();
}

resilience::RetryCounters ResilientConnector::retry_counters() const {
  return impl_->retry ? impl_->retry->counters() : resilience::RetryCounters{};
}

Connector& ResilientConnector::inner() noexcept {
  return *impl_->inner;
}

}  // namespace freshguard
