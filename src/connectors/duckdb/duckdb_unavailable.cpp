// Built instead of duckdb_connector.cpp when libduckdb was not found at configure time.

#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard {

bool duckdb_available() noexcept {
  return false;
}

struct DuckdbConnector::Impl {};

DuckdbConnector::DuckdbConnector(DuckdbOptions options) {
  throw ConfigError("source \"" + options.source_name +
                    "\": this build has no DuckDB support (run scripts/fetch-duckdb.sh and "
                    "rebuild)");
}

DuckdbConnector::~DuckdbConnector() = default;
const std::string& DuckdbConnector::source_name() const noexcept {
  static const std::string kNone;
  return kNone;
}
const sql::Dialect& DuckdbConnector::dialect() const noexcept {
  static constexpr sql::Dialect kDialect{sql::DialectKind::kDuckdb};
  return kDialect;
}
void DuckdbConnector::test_connection() {}
std::vector<sql::QualifiedName> DuckdbConnector::list_tables() {
  return {};
}
TableSchema DuckdbConnector::table_schema(const sql::QualifiedName& table) {
  return {table, {}};
}
std::shared_ptr<const TableSchema> DuckdbConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return std::make_shared<const TableSchema>(table_schema(table));
}
std::int64_t DuckdbConnector::filtered_row_count(const sql::QualifiedName&, std::string_view) {
  return 0;
}
std::optional<WallTime> DuckdbConnector::filtered_max_timestamp(const sql::QualifiedName&,
                                                                const sql::Identifier&,
                                                                const TimeZone&, std::string_view) {
  return std::nullopt;
}
std::int64_t DuckdbConnector::row_count(const sql::QualifiedName&) {
  return 0;
}
std::optional<WallTime> DuckdbConnector::max_timestamp(const sql::QualifiedName&,
                                                       const sql::Identifier&, const TimeZone&) {
  return std::nullopt;
}
std::optional<WallTime> DuckdbConnector::min_timestamp(const sql::QualifiedName&,
                                                       const sql::Identifier&, const TimeZone&) {
  return std::nullopt;
}
int DuckdbConnector::open_connections() const {
  return 0;
}

}  // namespace freshguard
