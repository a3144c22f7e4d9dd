// Microbenchmarks of the security layers on the hot path of every check (Google Benchmark):
// identifier validation, a schema-cache hit, and analysing the queries the engine generates.
// Run: cmake --preset bench && cmake --build build/bench --target security_bench &&
//      build/bench/bench/security_bench

#include <benchmark/benchmark.h>

#include <freshguard/security/query_analyzer.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/identifier.hpp>
#include <freshguard/sql/query.hpp>

namespace {

using freshguard::sql::Dialect;
using freshguard::sql::DialectKind;
using freshguard::sql::Identifier;
using freshguard::sql::QualifiedName;

void BM_IdentifierParse(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Identifier::parse("user_inserts_log"));
  }
}
BENCHMARK(BM_IdentifierParse);

void BM_TableNamePostgresDialect(benchmark::State& state) {
  const Dialect pg(DialectKind::kPostgres);
  for (auto _ : state) {
    benchmark::DoNotOptimize(pg.parse_table("analytics.user_inserts_log"));
  }
}
BENCHMARK(BM_TableNamePostgresDialect);

void BM_HostileNameRejected(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Identifier::try_parse("users; DROP TABLE users; --"));
  }
}
BENCHMARK(BM_HostileNameRejected);

void BM_SchemaCacheHit(benchmark::State& state) {
  freshguard::security::SchemaCache cache;
  const auto table = QualifiedName::parse("public.orders");
  const auto load = [&] {
    freshguard::TableSchema s{table, {}};
    for (const char* c : {"id", "region", "amount", "updated_at"}) {
      freshguard::ColumnInfo info;
      info.name = c;
      s.columns.push_back(info);
    }
    return s;
  };
  (void)cache.get("warehouse", table, load);
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.get("warehouse", table, load));
  }
}
BENCHMARK(BM_SchemaCacheHit);
BENCHMARK(BM_SchemaCacheHit)->Threads(2);

freshguard::sql::AggregateQuery freshness_query(std::string filter) {
  return {freshguard::sql::Aggregate::kMax, Identifier::parse("updated_at"),
          QualifiedName::parse("public.orders"), std::move(filter)};
}

void BM_AnalyseFreshnessQuery(benchmark::State& state) {
  const freshguard::security::QueryGuard guard;
  const auto q = freshness_query({});
  for (auto _ : state) {
    benchmark::DoNotOptimize(guard.check(q));
  }
}
BENCHMARK(BM_AnalyseFreshnessQuery);

void BM_AnalyseCountQueryWithFilter(benchmark::State& state) {
  const freshguard::security::QueryGuard guard;
  freshguard::sql::AggregateQuery q{freshguard::sql::Aggregate::kCountAll, std::nullopt,
                                    QualifiedName::parse("public.orders"),
                                    "region = 'eu' AND is_test = false"};
  for (auto _ : state) {
    benchmark::DoNotOptimize(guard.check(q));
  }
}
BENCHMARK(BM_AnalyseCountQueryWithFilter);

}  // namespace

BENCHMARK_MAIN();
