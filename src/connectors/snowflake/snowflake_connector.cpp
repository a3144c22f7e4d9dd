#include <freshguard/connectors/snowflake_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/resilience/sleeper.hpp>

#include "connectors/common/rest_deadline.hpp"
#include "connectors/common/text.hpp"
#include "connectors/snowflake/sf_api.hpp"
#include "connectors/snowflake/sf_auth.hpp"
#include "connectors/snowflake/sf_catalog.hpp"
#include "connectors/snowflake/sf_values.hpp"

namespace freshguard {
namespace {

using snowflake::Result;

constexpr sql::Dialect kSnowflakeDialect{sql::DialectKind::kSnowflake};

snowflake::Auth make_auth(const SnowflakeOptions& o, const Clock& clock) {
  if (o.account.empty()) throw ConfigError("Snowflake account is not set");
  if (o.user.empty() && o.oauth_token_file.empty()) throw ConfigError("Snowflake user is not set");
  if (!o.private_key_file.empty() && !o.oauth_token_file.empty()) {
    throw ConfigError("set only one of private_key_file and oauth_token_file");
  }
  if (!o.oauth_token_file.empty()) return snowflake::Auth::oauth(o.oauth_token_file, clock);
  return snowflake::Auth::key_pair(o.account, o.user, o.private_key_file, clock);
}

snowflake::ApiSettings settings(const SnowflakeOptions& o) {
  if (o.database.empty()) throw ConfigError("Snowflake database is not set");
  snowflake::ApiSettings s;
  s.base_url = connectors::strip_trailing_slashes(
      o.endpoint.empty() ? snowflake::default_endpoint(o.account) : o.endpoint);
  s.database = snowflake::object_name(o.database, "database name").str();
  s.schema = snowflake::object_name(o.schema.empty() ? "PUBLIC" : o.schema, "schema name").str();
  if (!o.warehouse.empty())
    s.warehouse = snowflake::object_name(o.warehouse, "warehouse name").str();
  if (!o.role.empty()) s.role = snowflake::object_name(o.role, "role name").str();
  return s;
}

// The Snowflake driver: the SQL API for queries, INFORMATION_SCHEMA for the catalog,
// EXPLAIN USING JSON for the cost guard.
class SnowflakeDriver final : public connectors::Driver {
 public:
  explicit SnowflakeDriver(SnowflakeOptions o)
      : opts_(std::move(o)),
        clock_(opts_.clock != nullptr ? opts_.clock : &SystemClock::instance()),
        sleeper_(opts_.sleeper != nullptr ? opts_.sleeper : &resilience::SystemSleeper::instance()),
        http_(net::HttpOptions{opts_.ca_file}),
        auth_(make_auth(opts_, *clock_)),
        settings_(settings(opts_)),
        api_(settings_, http_, auth_, *clock_, *sleeper_),
        catalog_(api_, settings_, opts_.source_name, [this] { return deadline(); }) {
    if (!(opts_.max_scan_bytes > 0)) throw ConfigError("max_scan_bytes must be positive");
  }

  const sql::Dialect& dialect() const noexcept override { return kSnowflakeDialect; }
  std::optional<sql::Identifier> default_schema() const override {
    return sql::Identifier::parse(settings_.schema, "schema name");
  }
  std::string catalog_name() const override { return settings_.database; }

  void ping(bool) override { (void)api_.execute("SELECT 1", {}, deadline()); }

  std::vector<sql::QualifiedName> list_tables() override { return catalog_.list_tables(); }

  // INFORMATION_SCHEMA.TABLES picks the exact spelling, else the only case-insensitive
  // match (throwing QueryError itself for none or several); then its columns.
  std::vector<TableSchema> describe(const sql::QualifiedName& t) override {
    return {catalog_.schema(t)};
  }

  // A MAX / MIN is explained against the scan budget even without a filter (the core asks
  // for that only with one): it reads a column of every row.
  sql::Value run(const sql::AggregateQuery& q, const std::string& text) override {
    const auto d = deadline();
    if (q.aggregate != sql::Aggregate::kCountAll && !q.filter) cost_guard(text, d);
    const Result r = api_.execute(text, {}, d);
    if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) return {};
    const std::string type = r.columns.empty() ? std::string() : r.columns[0].type;
    return snowflake::decode(type, *r.rows[0][0]);
  }

  void check_cost(const std::string& text, std::string_view) override {
    cost_guard(text, deadline());
  }

  // INFORMATION_SCHEMA.TABLES: LAST_ALTERED (which DDL moves too) and ROW_COUNT; nothing for
  // a view.
  std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table) override {
    const auto entry = catalog_.resolve(table);
    if (entry.view) return std::nullopt;
    return CatalogStats{entry.last_altered, entry.row_count};
  }

 private:
  resilience::Deadline deadline() const {
    return connectors::call_deadline(*clock_, opts_.timeout, "Snowflake");
  }

  // Refuses a query whose plan is assigned more bytes than the budget.
  void cost_guard(const std::string& text, const resilience::Deadline& d) {
    const double bytes = catalog_.explain_bytes(text, d);
    if (bytes > opts_.max_scan_bytes) {
      throw QueryError("cost guard: the query would scan " + snowflake::format_mib(bytes) +
                       ", more than max_scan_mb (" + snowflake::format_mib(opts_.max_scan_bytes) +
                       "); it was not run");
    }
  }

  SnowflakeOptions opts_;
  const Clock* clock_;
  resilience::Sleeper* sleeper_;
  net::HttpClient http_;
  snowflake::Auth auth_;
  snowflake::ApiSettings settings_;
  snowflake::Api api_;
  snowflake::Catalog catalog_;
};

}  // namespace

SnowflakeConnector::SnowflakeConnector(SnowflakeOptions options)
    : SqlConnector(std::make_unique<SnowflakeDriver>(options),
                   connectors::core_options_of(options)) {}

SnowflakeConnector::~SnowflakeConnector() = default;

}  // namespace freshguard
