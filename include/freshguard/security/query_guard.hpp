#pragma once
/// Defence in depth for the queries the engine generates: every data query a connector
/// builds (sql::AggregateQuery) passes through QueryAnalyzer::check() before it is sent,
/// even though it is built only from catalog-resolved identifiers. A rule's `filter:` is
/// checked with check_filter() as well, whatever path it arrived by.
///
/// The analyser parses PostgreSQL's grammar, so the query is analysed in its PostgreSQL
/// rendering (sql::kAnalysisDialect), which differs from the sent text only in identifier
/// quoting. Thread-safe (immutable).

#include <string_view>

#include <freshguard/security/query_analyzer.hpp>
#include <freshguard/sql/query.hpp>

namespace freshguard::security {

class QueryGuard {
 public:
  explicit QueryGuard(AnalyzerLimits limits = {}) : analyzer_(std::move(limits)) {}

  /// Checks `query` (its filter first) and returns the analysis of its PostgreSQL rendering.
  /// Throws SecurityError naming the rule broken, never echoing the query.
  QueryAnalysis check(const sql::AggregateQuery& query) const;

  /// check(), then the text to send in `dialect`.
  std::string checked_sql(const sql::AggregateQuery& query, const sql::Dialect& dialect) const;

  const QueryAnalyzer& analyzer() const noexcept { return analyzer_; }

 private:
  QueryAnalyzer analyzer_;
};

}  // namespace freshguard::security
