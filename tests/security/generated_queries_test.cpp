// The queries the engine generates: rendered per dialect, analysed in their PostgreSQL form;
// the PostgreSQL connector's constant catalog queries are single read-only SELECTs.

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/sql/query.hpp>

#include "connectors/postgres/pg_queries.hpp"

namespace freshguard::security {
namespace {

using sql::Aggregate;
using sql::AggregateQuery;
using sql::Dialect;
using sql::DialectKind;
using sql::Identifier;
using sql::QualifiedName;

std::shared_ptr<const sql::Expr> filter(const char* text) {
  return std::make_shared<const sql::Expr>(parse_filter(text));
}

TEST(GeneratedQueriesTest, RenderedPerDialect) {
  const AggregateQuery max{Aggregate::kMax, Identifier::parse("updated_at"),
                           QualifiedName::parse("sales.orders"), filter("region = 'eu'")};
  EXPECT_EQ(max.render(Dialect(DialectKind::kPostgres)),
            "SELECT max(\"updated_at\") FROM \"sales\".\"orders\" WHERE (\"region\" = 'eu')");
  EXPECT_EQ(max.render(Dialect(DialectKind::kMysql)),
            "SELECT max(`updated_at`) FROM `sales`.`orders` WHERE (`region` = 'eu')");
  const AggregateQuery min{Aggregate::kMin, Identifier::parse("ts"), QualifiedName::parse("t"), {}};
  EXPECT_EQ(min.render(Dialect(DialectKind::kSqlite)), "SELECT min(\"ts\") FROM \"t\"");
  const AggregateQuery count{Aggregate::kCountAll, std::nullopt, QualifiedName::parse("t"), {}};
  EXPECT_EQ(count.render(Dialect(DialectKind::kBigquery)), "SELECT count(*) FROM `t`");
  const AggregateQuery broken{Aggregate::kMax, std::nullopt, QualifiedName::parse("t"), {}};
  EXPECT_THROW((void)broken.render(Dialect(DialectKind::kSqlite)), std::logic_error);
}

TEST(GeneratedQueriesTest, GuardAcceptsTheEngineShapesAndChecksFilters) {
  const QueryGuard guard;
  for (auto agg : {Aggregate::kMax, Aggregate::kMin, Aggregate::kCountAll}) {
    const AggregateQuery q{agg, Identifier::parse("updated_at"),
                           QualifiedName::parse("public.orders"), filter("is_test = false")};
    const auto a = guard.check(q);
    EXPECT_EQ(a.statement_kind, "SELECT");
    EXPECT_FALSE(a.fingerprint.empty());
    EXPECT_EQ(a.tables, (std::vector<std::string>{"public.orders"}));
  }
  // The MySQL text is sent; its PostgreSQL rendering is what was analysed.
  const AggregateQuery q{
      Aggregate::kCountAll, std::nullopt, QualifiedName::parse("shop.carts"), {}};
  EXPECT_EQ(guard.checked_sql(q, Dialect(DialectKind::kMysql)),
            "SELECT count(*) FROM `shop`.`carts`");
  // A filter is a tree by the time it reaches a query: the text that smuggled a UNION or a
  // denied call never becomes one.
  EXPECT_THROW((void)filter("1 = 1) UNION SELECT usename FROM pg_user WHERE (1 = 1"),
               SecurityError);
  EXPECT_THROW((void)filter("pg_sleep(1) IS NULL"), SecurityError);
  // Extra denied functions reach the generated queries.
  const QueryGuard strict(AnalyzerLimits{.denied_functions = {"count"}});
  EXPECT_THROW((void)strict.check(q), SecurityError);
  EXPECT_EQ(strict.analyzer().limits().denied_functions.size(), 1u);
}

TEST(GeneratedQueriesTest, PostgresCatalogQueriesAreSingleSelects) {
  const QueryAnalyzer analyzer;
  for (const char* q :
       {pg::kResolveSql, pg::kTableSchemaSql, pg::kListTablesSql, pg::kRelationBytesSql}) {
    const auto a = analyzer.analyze(q);
    EXPECT_EQ(a.statements, 1) << q;
    EXPECT_EQ(a.statement_kind, "SELECT") << q;
    EXPECT_FALSE(a.select_into);
    EXPECT_FALSE(a.locking_clause);
    for (const auto& f : a.functions)
      EXPECT_FALSE(is_denied_function(f)) << f;
  }
}

}  // namespace
}  // namespace freshguard::security
