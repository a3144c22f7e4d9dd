#pragma once
/// Defence in depth for the queries the engine generates: every data query a connector
/// builds (sql::AggregateQuery) passes through QueryAnalyzer::check() before it is sent,
/// even though it is built only from catalog-resolved identifiers and a filter's allowlisted
/// expression tree (security/filter.hpp), which is rendered, never passed through.
///
/// The analyser parses PostgreSQL's grammar, so the query is analysed in its PostgreSQL
/// rendering (sql::kAnalysisDialect), rendered from the same tree as the sent text.
/// Thread-safe (immutable).

#include <string_view>

#include <freshguard/security/query_analyzer.hpp>
#include <freshguard/sql/query.hpp>

namespace freshguard::security {

class QueryGuard {
 public:
  explicit QueryGuard(AnalyzerLimits limits = {}) : analyzer_(std::move(limits)) {}

  /// Checks `query` and returns the analysis of its PostgreSQL rendering.
  /// Throws SecurityError naming the rule broken, never echoing the query.
  QueryAnalysis check(const sql::AggregateQuery& query) const;

  /// check(), then the text to send in `dialect`.
  std::string checked_sql(const sql::AggregateQuery& query, const sql::Dialect& dialect) const;

  const QueryAnalyzer& analyzer() const noexcept { return analyzer_; }

 private:
  QueryAnalyzer analyzer_;
};

}  // namespace freshguard::security
