#include <freshguard/security/query_guard.hpp>

namespace freshguard::security {

QueryAnalysis QueryGuard::check(const sql::AggregateQuery& query) const {
  return analyzer_.check(query.render(sql::kAnalysisDialect));
}

std::string QueryGuard::checked_sql(const sql::AggregateQuery& query,
                                    const sql::Dialect& dialect) const {
  check(query);
  return query.render(dialect);
}

}  // namespace freshguard::security
