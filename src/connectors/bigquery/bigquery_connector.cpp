#include <algorithm>

#include <freshguard/connectors/bigquery_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/security/catalog.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>

#include "connectors/bigquery/bq_api.hpp"
#include "connectors/bigquery/bq_auth.hpp"
#include "connectors/bigquery/bq_names.hpp"
#include "connectors/common/rest_deadline.hpp"
#include "connectors/common/text.hpp"

namespace freshguard {
namespace {

using bigquery::JobResult;
using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr sql::Dialect kBigqueryDialect{sql::DialectKind::kBigquery};
constexpr const char* kDefaultEndpoint = "https://bigquery.googleapis.com";

std::optional<std::int64_t> optional_int(const json& doc, const char* field) {
  if (!doc.contains(field)) return std::nullopt;
  const json& v = doc[field];
  try {
    if (v.is_string()) return std::stoll(v.get<std::string>());
    if (v.is_number_integer()) return v.get<std::int64_t>();
  } catch (const std::exception&) {
  }
  throw MonitoringError(std::string("BigQuery table metadata has an unreadable ") + field);
}

// A generated query in its two renderings: BigQuery's (sent) and PostgreSQL's (analysed).
struct Rendered {
  std::string sent;
  std::string analysed;
};

}  // namespace

struct BigqueryConnector::Impl {
  BigqueryOptions opts;
  const Clock* clock;
  net::HttpClient http;
  bigquery::TokenSource tokens;
  bigquery::Api api;
  std::shared_ptr<security::SchemaCache> cache;
  security::QueryGuard guard;

  explicit Impl(BigqueryOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? opts.clock : &SystemClock::instance()),
        http(net::HttpOptions{opts.ca_file}),
        tokens(bigquery::load_service_account_key(opts.credentials_file), http, *clock),
        api(settings(opts), http, tokens, *clock),
        cache(opts.schema_cache != nullptr ? opts.schema_cache
                                           : std::make_shared<security::SchemaCache>(
                                                 security::SchemaCacheOptions{.clock = clock})),
        guard(opts.analyzer) {}

  static bigquery::ApiSettings settings(const BigqueryOptions& o) {
    bigquery::check_project(o.project);
    (void)sql::Identifier::parse(o.dataset, "dataset name");
    if (o.maximum_bytes_billed <= 0) throw ConfigError("maximum_bytes_billed must be positive");
    bigquery::ApiSettings s;
    s.base_url =
        connectors::strip_trailing_slashes(o.endpoint.empty() ? kDefaultEndpoint : o.endpoint);
    s.project = o.project;
    s.location = o.location;
    s.maximum_bytes_billed = o.maximum_bytes_billed;
    s.page_size = std::max(o.page_size, 1);
    return s;
  }

  std::string where() const { return "source \"" + opts.source_name + "\""; }

  resilience::Deadline deadline() const {
    return connectors::call_deadline(*clock, opts.timeout, "BigQuery");
  }

  std::string dataset_of(const sql::QualifiedName& t) const {
    return t.schema ? t.schema->str() : opts.dataset;
  }

  // The table as asked for, with the default dataset filled in: the schema cache's key.
  sql::QualifiedName requested(const sql::QualifiedName& t) const {
    return sql::QualifiedName{sql::Identifier::parse(dataset_of(t), "dataset name"), t.name};
  }

  // tables.get of the exact name; nullopt on a 404.
  std::optional<json> try_get_table(const std::string& dataset, const std::string& table) {
    const std::string path = "/bigquery/v2/projects/" + net::url_encode(opts.project) +
                             "/datasets/" + net::url_encode(dataset) + "/tables/" +
                             net::url_encode(table);
    try {
      return api.call("GET", path, nullptr, deadline(), "BigQuery tables.get");
    } catch (const QueryError& e) {
      if (e.detail().find("\"notFound\"") == std::string::npos &&
          std::string_view(e.what()).find("HTTP 404") == std::string_view::npos) {
        throw;
      }
      return std::nullopt;
    }
  }

  // The table's metadata: the exact name, else the only table of the dataset whose name
  // matches ignoring case (BigQuery table names are case-sensitive; rules need not be).
  std::pair<sql::QualifiedName, json> lookup(const sql::QualifiedName& t) {
    const sql::QualifiedName want = requested(t);
    if (auto doc = try_get_table(want.schema->str(), want.name.str())) return {want, *doc};
    std::vector<sql::QualifiedName> matches;
    for (const auto& candidate : list_dataset(*want.schema)) {
      if (connectors::iequals(candidate.name.str(), want.name.str())) matches.push_back(candidate);
    }
    const std::string shown = want.schema->str() + "." + want.name.str();
    if (matches.size() > 1) {
      throw QueryError("table \"" + shown + "\" matches " + std::to_string(matches.size()) +
                       " tables that differ only in case in " + where() +
                       "; write its name exactly");
    }
    if (matches.size() == 1) {
      if (auto doc = try_get_table(want.schema->str(), matches[0].name.str())) {
        return {matches[0], *doc};
      }
    }
    throw QueryError("table \"" + shown + "\" not found in " + where());
  }

  // tables.list of `dataset`, every page.
  std::vector<sql::QualifiedName> list_dataset(const sql::Identifier& dataset) {
    const auto d = deadline();
    const std::string base = "/bigquery/v2/projects/" + net::url_encode(opts.project) +
                             "/datasets/" + net::url_encode(dataset.str()) +
                             "/tables?maxResults=" + std::to_string(opts.page_size);
    std::vector<sql::QualifiedName> out;
    std::string page;
    do {
      const std::string path = page.empty() ? base : base + "&pageToken=" + net::url_encode(page);
      const json resp = api.call("GET", path, nullptr, d, "BigQuery tables.list");
      for (const auto& t : resp.value("tables", json::array())) {
        const auto id = t.value("tableReference", json::object()).value("tableId", std::string());
        // Table ids outside the identifier rules cannot be named by a rule: skip them.
        if (auto name = sql::Identifier::try_parse(id)) out.push_back({dataset, *name});
      }
      page = resp.value("nextPageToken", std::string());
    } while (!page.empty());
    return out;
  }

  TableSchema load_schema(const sql::QualifiedName& t) {
    const auto [name, doc] = lookup(t);
    return bigquery::schema_from_table(doc, *name.schema, name.name);
  }

  std::shared_ptr<const TableSchema> cached(const sql::QualifiedName& t) {
    return cache->get(opts.source_name, requested(t), [&] { return load_schema(t); });
  }

  // `SELECT <expr> FROM <table> [WHERE <filter>]` in both renderings (each expression
  // quotes its column in its own dialect; the filter is rendered from its allowlisted tree,
  // its columns resolved in `schema`).
  Rendered render(const std::string& bq_expr, const std::string& pg_expr, const TableSchema& schema,
                  std::string_view filter) const {
    const sql::Dialect pg{sql::DialectKind::kPostgres};
    const sql::QualifiedName& resolved = schema.table;
    Rendered r{"SELECT " + bq_expr + " FROM " +
                   bigquery::quote_table(opts.project, resolved.schema->str(), resolved.name),
               "SELECT " + pg_expr + " FROM \"" + opts.project + "\"." + pg.quote(resolved)};
    if (const auto where = security::prepare_filter(filter, schema)) {
      r.sent += " WHERE " + sql::render(*where, kBigqueryDialect);
      r.analysed += " WHERE " + sql::render(*where, pg);
    }
    return r;
  }

  // Runs a generated data query on `t`: its PostgreSQL rendering analysed first (it differs
  // only in quoting), then dry run and job. A non-transient error drops the cached schema.
  JobResult run_data(const sql::QualifiedName& t, const Rendered& q) {
    guard.analyzer().check(q.analysed);
    try {
      return api.query(q.sent, {}, deadline());
    } catch (const QueryError& e) {
      if (!e.transient()) cache->invalidate(opts.source_name, requested(t));
      throw;
    }
  }

  std::int64_t count(const sql::QualifiedName& table, std::string_view filter) {
    const auto schema = cached(table);
    const JobResult r = run_data(table, render("COUNT(*) AS n", "COUNT(*) AS n", *schema, filter));
    if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) {
      throw MonitoringError("BigQuery returned no row count");
    }
    try {
      return std::stoll(*r.rows[0][0]);
    } catch (const std::exception&) {
      throw MonitoringError("BigQuery returned an unreadable row count");
    }
  }

  // MAX/MIN of a column already resolved against the catalog; `table` as asked for (the
  // schema cache's key).
  std::optional<WallTime> extreme(const char* fn, const sql::QualifiedName& table,
                                  const security::ResolvedColumn& resolved, const TimeZone& zone,
                                  std::string_view filter) {
    const sql::Dialect pg{sql::DialectKind::kPostgres};
    const JobResult r =
        run_data(table, render(std::string(fn) + "(" + bigquery::quote(resolved.column) + ") AS v",
                               std::string(fn) + "(" + pg.quote(resolved.column) + ") AS v",
                               *cached(table), filter));
    if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) return std::nullopt;
    const std::string type = r.fields.empty() ? std::string() : r.fields[0].type;
    return bigquery::value_to_time(type, *r.rows[0][0], zone);
  }
};

BigqueryConnector::BigqueryConnector(BigqueryOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

BigqueryConnector::~BigqueryConnector() = default;

const std::string& BigqueryConnector::source_name() const noexcept {
  return impl_->opts.source_name;
}

const sql::Dialect& BigqueryConnector::dialect() const noexcept {
  return kBigqueryDialect;
}

void BigqueryConnector::test_connection() {
  (void)impl_->api.call("GET",
                        "/bigquery/v2/projects/" + net::url_encode(impl_->opts.project) +
                            "/datasets/" + net::url_encode(impl_->opts.dataset),
                        nullptr, impl_->deadline(), "BigQuery datasets.get");
}

std::vector<sql::QualifiedName> BigqueryConnector::list_tables() {
  return impl_->list_dataset(sql::Identifier::parse(impl_->opts.dataset, "dataset name"));
}

TableSchema BigqueryConnector::table_schema(const sql::QualifiedName& table) {
  TableSchema schema = impl_->load_schema(table);
  impl_->cache->put(impl_->opts.source_name, impl_->requested(table), schema);
  return schema;
}

std::shared_ptr<const TableSchema> BigqueryConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->cached(table);
}

std::int64_t BigqueryConnector::row_count(const sql::QualifiedName& table) {
  return impl_->count(table, {});
}

std::int64_t BigqueryConnector::filtered_row_count(const sql::QualifiedName& table,
                                                   std::string_view filter) {
  return impl_->count(table, filter);
}

std::optional<WallTime> BigqueryConnector::max_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme("MAX", table, security::resolve_column(*this, table, column), zone, {});
}

std::optional<WallTime> BigqueryConnector::filtered_max_timestamp(const sql::QualifiedName& table,
                                                                  const sql::Identifier& column,
                                                                  const TimeZone& zone,
                                                                  std::string_view filter) {
  return impl_->extreme("MAX", table, security::resolve_column(*this, table, column), zone, filter);
}

std::optional<WallTime> BigqueryConnector::min_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme("MIN", table, security::resolve_column(*this, table, column), zone, {});
}

std::optional<std::int64_t> BigqueryConnector::estimated_row_count(
    const sql::QualifiedName& table) {
  return optional_int(impl_->lookup(table).second, "numRows");
}

std::optional<CatalogStats> BigqueryConnector::catalog_stats(const sql::QualifiedName& table) {
  const json doc = impl_->lookup(table).second;
  if (doc.value("type", std::string("TABLE")) == "VIEW") return std::nullopt;
  CatalogStats stats;
  stats.row_count = optional_int(doc, "numRows");
  if (const auto ms = optional_int(doc, "lastModifiedTime")) {
    stats.last_modified = WallTime(duration_cast<microseconds>(milliseconds(*ms)));
  }
  return stats;
}

}  // namespace freshguard
