#include <atomic>
#include <exception>
#include <stdexcept>

#include <freshguard/connectors/sql_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>

namespace freshguard::connectors {
namespace {}  // namespace

void Driver::check_cost(const std::string&, std::string_view) {}

std::optional<CatalogStats> Driver::catalog_stats(const sql::QualifiedName&) {
  return std::nullopt;
}

QueryRows Driver::read_query(std::string_view) {
  throw std::logic_error("read_query() of a driver without it");
}

struct SqlConnector::Impl {
  std::unique_ptr<Driver> driver;
  CoreOptions opts;
  std::shared_ptr<security::SchemaCache> cache;
  security::QueryGuard guard;
  std::atomic<bool> pinged{false};

  Impl(std::unique_ptr<Driver> d, CoreOptions o)
      : driver(std::move(d)),
        opts(std::move(o)),
        cache(opts.schema_cache != nullptr
                  ? opts.schema_cache
                  : std::make_shared<security::SchemaCache>(
                        security::SchemaCacheOptions{.clock = opts.clock})),
        guard(opts.analyzer) {}

  const sql::Dialect& dialect() const noexcept { return driver->dialect(); }
  std::string where() const { return "source \"" + opts.source_name + "\""; }

  // The table as asked for, with the default schema filled in: the schema cache's key.
  sql::QualifiedName requested(const sql::QualifiedName& t) const {
    return sql::QualifiedName{t.schema ? t.schema : driver->default_schema(), t.name};
  }

  // The catalog's table for `t`: the exact spelling, else the only case-insensitive match.
  TableSchema load(const sql::QualifiedName& t) {
    const sql::QualifiedName asked = requested(t);
    std::vector<TableSchema> found = driver->describe(asked);
    const auto same_schema = [&](const TableSchema& s) { return s.table.schema == asked.schema; };
    for (auto& candidate : found) {
      if (candidate.table.name == asked.name && same_schema(candidate)) return std::move(candidate);
    }
    if (found.size() == 1) return std::move(found.front());
    if (found.empty()) {
      throw QueryError("table \"" + asked.display() + "\" not found in " + where());
    }
    throw QueryError("table name \"" + t.display() + "\" matches several in " + where() +
                     " that differ only by case; write it exactly as defined");
  }

  std::shared_ptr<const TableSchema> cached(const sql::QualifiedName& t) {
    dialect().check(t);  // names the engine would truncate or refuse: refused before a query
    return cache->get(opts.source_name, requested(t), [&] { return load(t); });
  }

  // The query of `r` with its names resolved in `schema` (from the cache; a column missing
  // from it reloads it once, since the column may have been added since).
  sql::AggregateQuery prepare(const AggregateRequest& r,
                              std::shared_ptr<const TableSchema>& schema) {
    schema = cached(r.table);
    std::optional<sql::Identifier> column;
    if (r.column) {
      dialect().check(*r.column, "column name");
      if (schema->find_column(r.column->str()) == nullptr) {
        cache->invalidate(opts.source_name, requested(r.table));
        schema = cached(r.table);
      }
      const ColumnInfo& c = security::find_column_or_throw(*schema, r.column->str(), where());
      column = sql::Identifier::parse(c.name, "column name");
    }
    return sql::AggregateQuery{r.aggregate, std::move(column), schema->table,
                               security::prepare_filter(r.filter, *schema), driver->catalog_name()};
  }

  // One attempt: resolve, guard, cost guard, run. `sent_on` is the schema the query was
  // built from once the engine has it (null while the engine has not been asked).
  sql::Value attempt(const AggregateRequest& r, std::shared_ptr<const TableSchema>& sent_on) {
    std::shared_ptr<const TableSchema> schema;
    const sql::AggregateQuery q = prepare(r, schema);
    const std::string text = guard.checked_sql(q, dialect());
    if (q.filter) driver->check_cost(text, "rule filter");
    sent_on = schema;
    sql::Value v = driver->run(q, text);
    auto* other = std::get_if<sql::OtherType>(&v);
    if (other != nullptr && other->type.empty() && q.column) {
      // Name the declared type, as the catalog spells it.
      const ColumnInfo* c = schema->find_column(q.column->str());
      other->type = c != nullptr ? c->type : "unknown";
    }
    return v;
  }

  // The stale-schema retry: when the engine refuses a query (a non-transient QueryError),
  // the cached schema is dropped and read again. A schema that changed (a table dropped and
  // recreated, renamed to another case, a column gone) gets one more attempt; an unchanged
  // one, or a table that is gone, means the engine's error stands.
  sql::Value aggregate(const AggregateRequest& r) {
    std::shared_ptr<const TableSchema> sent_on;
    try {
      return attempt(r, sent_on);
    } catch (const QueryError& e) {
      if (e.transient() || sent_on == nullptr) throw;
      const std::exception_ptr original = std::current_exception();
      cache->invalidate(opts.source_name, requested(r.table));
      std::shared_ptr<const TableSchema> fresh;
      try {
        fresh = cached(r.table);
      } catch (const Error&) {
        std::rethrow_exception(original);
      }
      if (*fresh == *sent_on) std::rethrow_exception(original);
    }
    std::shared_ptr<const TableSchema> again;
    return attempt(r, again);
  }
};

SqlConnector::SqlConnector(std::unique_ptr<Driver> driver, CoreOptions options) {
  if (driver == nullptr) throw std::invalid_argument("SqlConnector needs a driver");
  impl_ = std::make_unique<Impl>(std::move(driver), std::move(options));
}

SqlConnector::~SqlConnector() = default;

const std::string& SqlConnector::source_name() const noexcept {
  return impl_->opts.source_name;
}

const sql::Dialect& SqlConnector::dialect() const noexcept {
  return impl_->dialect();
}

void SqlConnector::test_connection() {
  impl_->driver->ping(!impl_->pinged.exchange(true));
}

std::vector<sql::QualifiedName> SqlConnector::list_tables() {
  return impl_->driver->list_tables();
}

TableSchema SqlConnector::table_schema(const sql::QualifiedName& table) {
  impl_->dialect().check(table);
  TableSchema schema = impl_->load(table);
  impl_->cache->put(impl_->opts.source_name, impl_->requested(table), schema);
  return schema;
}

std::shared_ptr<const TableSchema> SqlConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->cached(table);
}

std::optional<CatalogStats> SqlConnector::catalog_stats(const sql::QualifiedName& table) {
  impl_->dialect().check(table);
  return impl_->driver->catalog_stats(impl_->requested(table));
}

QueryRows SqlConnector::query(std::string_view sql_text) {
  if (!impl_->driver->can_read_query()) {
    throw QueryError("query() is not supported by " + impl_->where());
  }
  (void)impl_->guard.analyzer().check_read_query(sql_text);
  return impl_->driver->read_query(sql_text);
}

sql::AggregateQuery SqlConnector::prepare(const AggregateRequest& request) {
  std::shared_ptr<const TableSchema> schema;
  return impl_->prepare(request, schema);
}

sql::Value SqlConnector::aggregate(const AggregateRequest& request) {
  return impl_->aggregate(request);
}

std::optional<PoolStatus> SqlConnector::pool_status() const {
  return impl_->driver->pool_status();
}

Driver& SqlConnector::driver() noexcept {
  return *impl_->driver;
}

const Driver& SqlConnector::driver() const noexcept {
  return *impl_->driver;
}

}  // namespace freshguard::connectors
