// SchemaCache: TTL, LRU bound, single-flight loading, invalidation; and the connectors that
// resolve through it (real SQLite files).

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>
#include <freshguard/security/schema_cache.hpp>

#include "support/aggregate.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::security {
namespace {

using namespace std::chrono_literals;
using sql::QualifiedName;

TableSchema schema_of(const char* table, std::vector<const char*> columns) {
  TableSchema s{QualifiedName::parse(table), {}};
  int pos = 0;
  for (const char* c : columns) {
    ColumnInfo info;
    info.name = c;
    info.position = ++pos;
    info.primary_key = pos == 1;
    s.columns.push_back(info);
  }
  return s;
}

TEST(SchemaCacheTest, HitsWithinTheTtlAndReloadsAfterIt) {
  ManualClock clock{WallTime{}};
  SchemaCache cache({.ttl = 60s, .max_entries = 10, .clock = &clock});
  int loads = 0;
  const auto load = [&] {
    ++loads;
    return schema_of("main.orders", {"id", "updated_at"});
  };
  const auto t = QualifiedName::parse("main.orders");
  const auto first = cache.get("wh", t, load);
  EXPECT_EQ(cache.get("wh", t, load), first);  // the same object: a hit
  clock.advance(59s);
  EXPECT_EQ(cache.get("wh", t, load), first);
  EXPECT_EQ(loads, 1);
  clock.advance(1s);  // exactly the TTL: expired
  EXPECT_NE(cache.get("wh", t, load), first);
  EXPECT_EQ(loads, 2);
  // Another source with the same table name is a different entry.
  (void)cache.get("other", t, load);
  EXPECT_EQ(loads, 3);
  const auto s = cache.stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 3u);
  EXPECT_EQ(s.loads, 3u);
  EXPECT_EQ(s.size, 2u);
  EXPECT_EQ(cache.options().ttl, 60s);
}

TEST(SchemaCacheTest, DefaultsAreOneHourAndAThousandEntries) {
  SchemaCache cache;
  EXPECT_EQ(cache.options().ttl, std::chrono::seconds(3600));
  EXPECT_EQ(cache.options().max_entries, 1000u);
  EXPECT_NE(cache.options().clock, nullptr);
  SchemaCache tiny({.ttl = 1s, .max_entries = 0});
  EXPECT_EQ(tiny.options().max_entries, 1u);  // at least one
}

TEST(SchemaCacheTest, EvictsTheLeastRecentlyUsed) {
  ManualClock clock{WallTime{}};
  SchemaCache cache({.ttl = 3600s, .max_entries = 2, .clock = &clock});
  int loads = 0;
  const auto loader = [&](const char* name) {
    return [&loads, name] {
      ++loads;
      return schema_of(name, {"id"});
    };
  };
  const auto a = QualifiedName::parse("main.a");
  const auto b = QualifiedName::parse("main.b");
  const auto c = QualifiedName::parse("main.c");
  (void)cache.get("wh", a, loader("main.a"));
  (void)cache.get("wh", b, loader("main.b"));
  (void)cache.get("wh", a, loader("main.a"));  // a is now the most recent
  (void)cache.get("wh", c, loader("main.c"));  // evicts b
  EXPECT_EQ(loads, 3);
  (void)cache.get("wh", a, loader("main.a"));
  EXPECT_EQ(loads, 3);
  (void)cache.get("wh", b, loader("main.b"));  // b was evicted: reloaded (evicts c)
  EXPECT_EQ(loads, 4);
  EXPECT_EQ(cache.stats().evictions, 2u);
  EXPECT_EQ(cache.stats().size, 2u);
}

TEST(SchemaCacheTest, HundredConcurrentLookupsShareOneLoad) {
  SchemaCache cache;
  std::atomic<int> loads{0};
  const auto t = QualifiedName::parse("main.orders");
  const auto load = [&] {
    ++loads;
    // Hold the load until every other thread is waiting for it (bounded).
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (cache.stats().shared_loads < 99 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(1ms);
    }
    return schema_of("main.orders", {"id"});
  };
  std::vector<std::thread> threads;
  std::atomic<int> answers{0};
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&] {
      if (cache.get("wh", t, load)->columns.size() == 1) ++answers;
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(loads.load(), 1);
  EXPECT_EQ(answers.load(), 100);
  EXPECT_EQ(cache.stats().shared_loads, 99u);
}

TEST(SchemaCacheTest, AFailedLoadReachesEveryWaiterAndIsNotKept) {
  SchemaCache cache;
  const auto t = QualifiedName::parse("main.missing");
  std::atomic<int> loads{0};
  std::atomic<int> failures{0};
  const auto load = [&]() -> TableSchema {
    ++loads;
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (cache.stats().shared_loads < 9 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(1ms);
    }
    throw QueryError("table \"main.missing\" not found");
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      try {
        (void)cache.get("wh", t, load);
      } catch (const QueryError&) {
        ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(loads.load(), 1);
  EXPECT_EQ(failures.load(), 10);
  EXPECT_EQ(cache.stats().size, 0u);
  // The next lookup tries again.
  (void)cache.get("wh", t, [] { return schema_of("main.missing", {"id"}); });
  EXPECT_EQ(cache.stats().loads, 2u);
}

TEST(SchemaCacheTest, InvalidateDropsTheEntryAndALoadInFlightIsNotKept) {
  SchemaCache cache;
  const auto t = QualifiedName::parse("main.orders");
  int loads = 0;
  const auto load = [&] {
    ++loads;
    return schema_of("main.orders", {"id"});
  };
  EXPECT_FALSE(cache.invalidate("wh", t));
  (void)cache.get("wh", t, load);
  EXPECT_TRUE(cache.invalidate("wh", t));
  (void)cache.get("wh", t, load);
  EXPECT_EQ(loads, 2);
  // Invalidated while loading: the caller gets the result, the cache does not keep it.
  const auto racing = cache.get("wh", QualifiedName::parse("main.other"), [&] {
    EXPECT_TRUE(cache.invalidate("wh", QualifiedName::parse("main.other")));
    return schema_of("main.other", {"id"});
  });
  EXPECT_EQ(racing->table.display(), "main.other");
  EXPECT_EQ(cache.stats().size, 1u);
  EXPECT_EQ(cache.stats().invalidations, 2u);
  cache.clear();
  EXPECT_EQ(cache.stats().size, 0u);
}

TEST(SchemaCacheTest, ZeroTtlKeepsNothingButPutRefreshes) {
  SchemaCache none({.ttl = 0s});
  int loads = 0;
  const auto t = QualifiedName::parse("main.orders");
  const auto load = [&] {
    ++loads;
    return schema_of("main.orders", {"id"});
  };
  (void)none.get("wh", t, load);
  (void)none.get("wh", t, load);
  none.put("wh", t, schema_of("main.orders", {"id"}));
  (void)none.get("wh", t, load);
  EXPECT_EQ(loads, 3);
  EXPECT_EQ(none.stats().size, 0u);

  SchemaCache cache;
  (void)cache.get("wh", t, load);
  cache.put("wh", t, schema_of("main.orders", {"id", "added"}));
  EXPECT_EQ(cache.get("wh", t, load)->columns.size(), 2u);
  EXPECT_EQ(loads, 4);
}

TEST(SchemaCacheTest, FindColumnOrThrow) {
  auto s = schema_of("main.orders", {"id", "Updated_At", "Note", "NOTE"});
  EXPECT_EQ(find_column_or_throw(s, "id", "source \"wh\"").name, "id");
  EXPECT_EQ(find_column_or_throw(s, "updated_at", "source \"wh\"").name, "Updated_At");
  EXPECT_EQ(find_column_or_throw(s, "NOTE", "").name, "NOTE");  // exact wins
  try {
    (void)find_column_or_throw(s, "note", "source \"wh\"");
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(),
                 "column name \"note\" matches several in main.orders of source \"wh\" that "
                 "differ only by case; write it exactly as defined");
  }
  try {
    (void)find_column_or_throw(s, "nope", "");
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "column \"nope\" not found in main.orders");
  }
}

// The Connector interface's defaults for connectors without a cache, query() or a pool.
class MinimalConnector final : public Connector {
 public:
  const std::string& source_name() const noexcept override { return name_; }
  const sql::Dialect& dialect() const noexcept override { return dialect_; }
  void test_connection() override {}
  std::vector<QualifiedName> list_tables() override { return {}; }
  TableSchema table_schema(const QualifiedName& t) override {
    ++catalog_reads;
    return schema_of(t.display().c_str(), {"id"});
  }
  sql::Value aggregate(const AggregateRequest& r) override {
    if (r.aggregate == sql::Aggregate::kCountAll) return std::int64_t{7};
    return WallTime{};
  }

  int catalog_reads = 0;

 private:
  std::string name_ = "minimal";
  sql::Dialect dialect_{sql::DialectKind::kSqlite};
};

TEST(ConnectorDefaultsTest, NoCacheNoQueryNoPool) {
  MinimalConnector c;
  const auto t = QualifiedName::parse("main.t");
  EXPECT_EQ(c.cached_table_schema(t)->table.display(), "main.t");
  EXPECT_EQ(c.cached_table_schema(t)->columns.size(), 1u);
  EXPECT_EQ(c.catalog_reads, 2);  // no cache: every call reads the catalog
  EXPECT_EQ(c.row_count(t), 7);
  EXPECT_TRUE(c.max_timestamp(t, sql::Identifier::parse("id"), TimeZone::utc()));
  EXPECT_THROW((void)c.query("SELECT 1"), QueryError);
  EXPECT_FALSE(c.catalog_stats(t));
  EXPECT_FALSE(c.pool_status());
}

// --- the SQLite connector resolving through the cache ---

class SqliteSchemaCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() / "wh.db";
    testing::sqlite_exec(path_,
                         "CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at TEXT);"
                         "INSERT INTO orders VALUES (1, '2024-05-01 10:00:00');");
  }
  SqliteOptions options() {
    SqliteOptions o;
    o.source_name = "wh";
    o.path = path_;
    o.schema_cache = cache_;
    return o;
  }
  testing::TempDir dir_;
  std::filesystem::path path_;
  std::shared_ptr<SchemaCache> cache_ = std::make_shared<SchemaCache>();
};

TEST_F(SqliteSchemaCacheTest, HundredConcurrentChecksOfOneTableCostOneCatalogLoad) {
  SqliteConnector c(options());
  Rule rule;
  rule.id = "orders_fresh";
  rule.source = "wh";
  rule.table = "orders";
  rule.freshness.timestamp_column = "UPDATED_AT";  // resolved case-insensitively
  ManualClock clock{WallTime{}};
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&] {
      const auto r = run_check(c, rule, clock);
      if (!r.error && r.last_update) ++ok;
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(cache_->stats().loads, 1u);
  EXPECT_EQ(cache_->stats().size, 1u);
  const auto schema = c.cached_table_schema(QualifiedName::parse("orders"));
  EXPECT_EQ(schema->table.display(), "main.orders");
  EXPECT_TRUE(schema->columns.at(0).primary_key);
  EXPECT_FALSE(schema->columns.at(1).primary_key);
}

TEST_F(SqliteSchemaCacheTest, SchemaChangesAreNoticed) {
  SqliteConnector c(options());
  const auto t = QualifiedName::parse("orders");
  const auto zone = TimeZone::utc();
  EXPECT_TRUE(c.max_timestamp(t, sql::Identifier::parse("updated_at"), zone));
  EXPECT_EQ(cache_->stats().loads, 1u);
  // A column added after the schema was cached: found after one reload.
  testing::sqlite_exec(path_, "ALTER TABLE orders ADD COLUMN loaded_at TEXT");
  EXPECT_FALSE(c.max_timestamp(t, sql::Identifier::parse("loaded_at"), zone));
  EXPECT_EQ(cache_->stats().loads, 2u);
  EXPECT_EQ(
      c.prepare(AggregateRequest{sql::Aggregate::kMax, t, sql::Identifier::parse("LOADED_AT"), {}})
          .column->str(),
      "loaded_at");
  // A missing column is a clear error after that one reload, before any data query.
  try {
    (void)c.max_timestamp(t, sql::Identifier::parse("nope"), zone);
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "column \"nope\" not found in main.orders of source \"wh\"");
  }
  // The table dropped behind the cache's back: the data query fails, the entry is dropped,
  // and the next call reports the table as missing.
  testing::sqlite_exec(path_, "DROP TABLE orders");
  EXPECT_THROW((void)c.row_count(t), QueryError);
  EXPECT_GE(cache_->stats().invalidations, 2u);
  try {
    (void)c.row_count(t);
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "table \"main.orders\" not found in source \"wh\"");
  }
}

TEST_F(SqliteSchemaCacheTest, TableSchemaReadsTheCatalogAndRefreshesTheCache) {
  SqliteConnector c(options());
  const auto t = QualifiedName::parse("orders");
  EXPECT_EQ(c.cached_table_schema(t)->columns.size(), 2u);
  testing::sqlite_exec(path_, "ALTER TABLE orders ADD COLUMN note TEXT");
  EXPECT_EQ(c.cached_table_schema(t)->columns.size(), 2u);  // still the cached one
  EXPECT_EQ(c.table_schema(t).columns.size(), 3u);          // always the catalog
  EXPECT_EQ(c.cached_table_schema(t)->columns.size(), 3u);  // and the cache follows
}

TEST_F(SqliteSchemaCacheTest, GeneratedQueriesPassTheAnalyser) {
  auto o = options();
  o.analyzer.denied_functions = {"max"};
  SqliteConnector c(o);
  const auto t = QualifiedName::parse("orders");
  EXPECT_EQ(c.row_count(t), 1);
  try {
    (void)c.max_timestamp(t, sql::Identifier::parse("updated_at"), TimeZone::utc());
    FAIL() << "the analyser let a denied function through";
  } catch (const SecurityError& e) {
    EXPECT_NE(std::string(e.what()).find("max"), std::string::npos) << e.what();
  }
  o.analyzer.denied_functions = {"count"};
  SqliteConnector counting(o);
  EXPECT_THROW((void)counting.row_count(t), SecurityError);
  EXPECT_TRUE(
      testing::min_timestamp(counting, t, sql::Identifier::parse("updated_at"), TimeZone::utc()));
}

}  // namespace
}  // namespace freshguard::security
