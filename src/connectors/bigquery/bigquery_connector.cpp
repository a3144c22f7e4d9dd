#include <algorithm>

#include <freshguard/connectors/bigquery_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>

#include "connectors/bigquery/bq_api.hpp"
#include "connectors/bigquery/bq_auth.hpp"
#include "connectors/bigquery/bq_names.hpp"

namespace freshguard {
namespace {

using bigquery::JobResult;
using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr sql::Dialect kBigqueryDialect{sql::DialectKind::kBigquery};
constexpr const char* kDefaultEndpoint = "https://bigquery.googleapis.com";

std::string strip_slash(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

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

}  // namespace

struct BigqueryConnector::Impl {
  BigqueryOptions opts;
  const Clock* clock;
  net::HttpClient http;
  bigquery::TokenSource tokens;
  bigquery::Api api;

  explicit Impl(BigqueryOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? opts.clock : &SystemClock::instance()),
        http(net::HttpOptions{opts.ca_file}),
        tokens(bigquery::load_service_account_key(opts.credentials_file), http, *clock),
        api(settings(opts), http, tokens, *clock) {}

  static bigquery::ApiSettings settings(const BigqueryOptions& o) {
    bigquery::check_project(o.project);
    (void)sql::Identifier::parse(o.dataset, "dataset name");
    if (o.maximum_bytes_billed <= 0) throw ConfigError("maximum_bytes_billed must be positive");
    bigquery::ApiSettings s;
    s.base_url = strip_slash(o.endpoint.empty() ? kDefaultEndpoint : o.endpoint);
    s.project = o.project;
    s.location = o.location;
    s.maximum_bytes_billed = o.maximum_bytes_billed;
    s.page_size = std::max(o.page_size, 1);
    return s;
  }

  std::string where() const { return "source \"" + opts.source_name + "\""; }

  // The deadline of one call: the configured timeout capped by the caller's deadline.
  resilience::Deadline deadline() const {
    const milliseconds budget = resilience::effective_timeout(opts.timeout);
    if (budget.count() <= 0) throw TimeoutError("deadline passed before the BigQuery call");
    return resilience::Deadline::after(*clock, duration_cast<microseconds>(budget));
  }

  std::string dataset_of(const sql::QualifiedName& t) const {
    return t.schema ? t.schema->str() : opts.dataset;
  }

  // tables.get; a 404 becomes "table ... not found".
  json get_table(const sql::QualifiedName& t) {
    const std::string dataset = dataset_of(t);
    const std::string path = "/bigquery/v2/projects/" + net::url_encode(opts.project) +
                             "/datasets/" + net::url_encode(dataset) + "/tables/" +
                             net::url_encode(t.name.str());
    try {
      return api.call("GET", path, nullptr, deadline(), "BigQuery tables.get");
    } catch (const QueryError& e) {
      if (e.detail().find("\"notFound\"") == std::string::npos &&
          std::string_view(e.what()).find("HTTP 404") == std::string_view::npos) {
        throw;
      }
      throw QueryError("table \"" + dataset + "." + t.name.str() + "\" not found in " + where(),
                       false, e.detail());
    }
  }

  JobResult run(const std::string& sql) { return api.query(sql, {}, deadline()); }

  std::optional<WallTime> extreme(const char* fn, const sql::QualifiedName& table,
                                  const sql::Identifier& column, const TimeZone& zone) {
    const std::string sql = std::string("SELECT ") + fn + "(" + bigquery::quote(column) +
                            ") AS v FROM " +
                            bigquery::quote_table(opts.project, dataset_of(table), table.name);
    const JobResult r = run(sql);
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
  const auto deadline = impl_->deadline();
  const auto dataset = sql::Identifier::parse(impl_->opts.dataset, "dataset name");
  const std::string base = "/bigquery/v2/projects/" + net::url_encode(impl_->opts.project) +
                           "/datasets/" + net::url_encode(dataset.str()) +
                           "/tables?maxResults=" + std::to_string(impl_->opts.page_size);
  std::vector<sql::QualifiedName> out;
  std::string page;
  do {
    const std::string path = page.empty() ? base : base + "&pageToken=" + net::url_encode(page);
    const json resp = impl_->api.call("GET", path, nullptr, deadline, "BigQuery tables.list");
    for (const auto& t : resp.value("tables", json::array())) {
      const auto id = t.value("tableReference", json::object()).value("tableId", std::string());
      // Table ids outside the identifier rules cannot be named by a rule: skip them.
      if (auto name = sql::Identifier::try_parse(id)) out.push_back({dataset, *name});
    }
    page = resp.value("nextPageToken", std::string());
  } while (!page.empty());
  return out;
}

TableSchema BigqueryConnector::table_schema(const sql::QualifiedName& table) {
  const json doc = impl_->get_table(table);
  return bigquery::schema_from_table(doc, sql::Identifier::parse(impl_->dataset_of(table)),
                                     table.name);
}

std::int64_t BigqueryConnector::row_count(const sql::QualifiedName& table) {
  const JobResult r =
      impl_->run("SELECT COUNT(*) AS n FROM " +
                 bigquery::quote_table(impl_->opts.project, impl_->dataset_of(table), table.name));
  if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) {
    throw MonitoringError("BigQuery returned no row count");
  }
  try {
    return std::stoll(*r.rows[0][0]);
  } catch (const std::exception&) {
    throw MonitoringError("BigQuery returned an unreadable row count");
  }
}

std::optional<WallTime> BigqueryConnector::max_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme("MAX", table, column, zone);
}

std::optional<WallTime> BigqueryConnector::min_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone) {
  return impl_->extreme("MIN", table, column, zone);
}

std::optional<std::int64_t> BigqueryConnector::estimated_row_count(
    const sql::QualifiedName& table) {
  return optional_int(impl_->get_table(table), "numRows");
}

std::optional<CatalogStats> BigqueryConnector::catalog_stats(const sql::QualifiedName& table) {
  const json doc = impl_->get_table(table);
  if (doc.value("type", std::string("TABLE")) == "VIEW") return std::nullopt;
  CatalogStats stats;
  stats.row_count = optional_int(doc, "numRows");
  if (const auto ms = optional_int(doc, "lastModifiedTime")) {
    stats.last_modified = WallTime(duration_cast<microseconds>(milliseconds(*ms)));
  }
  return stats;
}

}  // namespace freshguard
