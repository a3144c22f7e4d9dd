#include <algorithm>

#include <freshguard/connectors/bigquery_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>

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

// The BigQuery driver: the REST API's metadata calls for the catalog, jobs for queries.
class BigqueryDriver final : public connectors::Driver {
 public:
  explicit BigqueryDriver(BigqueryOptions o)
      : opts_(std::move(o)),
        clock_(opts_.clock != nullptr ? opts_.clock : &SystemClock::instance()),
        http_(net::HttpOptions{opts_.ca_file}),
        tokens_(bigquery::load_service_account_key(opts_.credentials_file), http_, *clock_),
        api_(settings(opts_), http_, tokens_, *clock_),
        dataset_(sql::Identifier::parse(opts_.dataset, "dataset name")) {}

  const sql::Dialect& dialect() const noexcept override { return kBigqueryDialect; }
  std::optional<sql::Identifier> default_schema() const override { return dataset_; }
  std::string catalog_name() const override { return opts_.project; }

  void ping(bool) override {
    (void)api_.call("GET",
                    "/bigquery/v2/projects/" + net::url_encode(opts_.project) + "/datasets/" +
                        net::url_encode(opts_.dataset),
                    nullptr, deadline(), "BigQuery datasets.get");
  }

  std::vector<sql::QualifiedName> list_tables() override { return list_dataset(dataset_); }

  // tables.get of the exact name; else every table of the dataset whose name matches
  // ignoring case (BigQuery table names are case-sensitive; rules need not be).
  std::vector<TableSchema> describe(const sql::QualifiedName& t) override {
    std::vector<TableSchema> out;
    if (auto doc = try_get_table(*t.schema, t.name)) {
      out.push_back(bigquery::schema_from_table(*doc, *t.schema, t.name));
      return out;
    }
    for (const auto& candidate : list_dataset(*t.schema)) {
      if (!connectors::iequals(candidate.name.str(), t.name.str())) continue;
      if (auto doc = try_get_table(*t.schema, candidate.name)) {
        out.push_back(bigquery::schema_from_table(*doc, *t.schema, candidate.name));
      }
    }
    return out;
  }

  // A dry run first (the cost guard: maximum_bytes_billed), then the job.
  sql::Value run(const sql::AggregateQuery&, const std::string& text) override {
    const JobResult r = api_.query(text, {}, deadline());
    if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) return {};
    const std::string type = r.fields.empty() ? std::string() : r.fields[0].type;
    return bigquery::decode(type, *r.rows[0][0]);
  }

  // tables.get metadata (no job, nothing billed): lastModifiedTime and numRows; nothing for
  // a view.
  std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table) override {
    auto doc = try_get_table(*table.schema, table.name);
    if (!doc) {
      std::optional<sql::Identifier> match;
      for (const auto& candidate : list_dataset(*table.schema)) {
        if (!connectors::iequals(candidate.name.str(), table.name.str())) continue;
        if (match) {
          throw QueryError("table name \"" + table.display() + "\" matches several in " + where() +
                           " that differ only by case; write it exactly as defined");
        }
        match = candidate.name;
      }
      if (match) doc = try_get_table(*table.schema, *match);
    }
    if (!doc) throw QueryError("table \"" + table.display() + "\" not found in " + where());
    if (doc->value("type", std::string("TABLE")) == "VIEW") return std::nullopt;
    CatalogStats stats;
    stats.row_count = optional_int(*doc, "numRows");
    if (const auto ms = optional_int(*doc, "lastModifiedTime")) {
      stats.last_modified = WallTime(duration_cast<microseconds>(milliseconds(*ms)));
    }
    return stats;
  }

 private:
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

  std::string where() const { return "source \"" + opts_.source_name + "\""; }

  resilience::Deadline deadline() const {
    return connectors::call_deadline(*clock_, opts_.timeout, "BigQuery");
  }

  // tables.get of the exact name; nullopt when the table does not exist (HTTP 404).
  std::optional<json> try_get_table(const sql::Identifier& dataset, const sql::Identifier& table) {
    const std::string path = "/bigquery/v2/projects/" + net::url_encode(opts_.project) +
                             "/datasets/" + net::url_encode(dataset.str()) + "/tables/" +
                             net::url_encode(table.str());
    try {
      return api_.call("GET", path, nullptr, deadline(), "BigQuery tables.get");
    } catch (const QueryError& e) {
      if (e.detail().find("\"notFound\"") == std::string::npos &&
          std::string_view(e.what()).find("HTTP 404") == std::string_view::npos) {
        throw;
      }
      return std::nullopt;
    }
  }

  // tables.list of `dataset`, every page.
  std::vector<sql::QualifiedName> list_dataset(const sql::Identifier& dataset) {
    const auto d = deadline();
    const std::string base = "/bigquery/v2/projects/" + net::url_encode(opts_.project) +
                             "/datasets/" + net::url_encode(dataset.str()) +
                             "/tables?maxResults=" + std::to_string(opts_.page_size);
    std::vector<sql::QualifiedName> out;
    std::string page;
    do {
      const std::string path = page.empty() ? base : base + "&pageToken=" + net::url_encode(page);
      const json resp = api_.call("GET", path, nullptr, d, "BigQuery tables.list");
      for (const auto& t : resp.value("tables", json::array())) {
        const auto id = t.value("tableReference", json::object()).value("tableId", std::string());
        // Table ids outside the identifier rules cannot be named by a rule: skip them.
        if (auto name = sql::Identifier::try_parse(id)) out.push_back({dataset, *name});
      }
      page = resp.value("nextPageToken", std::string());
    } while (!page.empty());
    return out;
  }

  BigqueryOptions opts_;
  const Clock* clock_;
  net::HttpClient http_;
  bigquery::TokenSource tokens_;
  bigquery::Api api_;
  sql::Identifier dataset_;
};

}  // namespace

BigqueryConnector::BigqueryConnector(BigqueryOptions options)
    : SqlConnector(std::make_unique<BigqueryDriver>(options),
                   connectors::core_options_of(options)) {}

BigqueryConnector::~BigqueryConnector() = default;

}  // namespace freshguard
