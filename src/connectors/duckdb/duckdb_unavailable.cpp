// Built instead of duckdb_connector.cpp when libduckdb was not found at configure time.

#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard {

bool duckdb_available() noexcept {
  return false;
}

namespace {

std::unique_ptr<connectors::Driver> no_duckdb(const DuckdbOptions& options) {
  throw ConfigError("source \"" + options.source_name +
                    "\": this build has no DuckDB support (run scripts/fetch-duckdb.sh and "
                    "rebuild)");
}

}  // namespace

std::unique_ptr<connectors::Driver> make_duckdb_driver(DuckdbOptions options) {
  return no_duckdb(options);
}

DuckdbConnector::DuckdbConnector(DuckdbOptions options)
    : SqlConnector(no_duckdb(options), connectors::CoreOptions{}) {}

DuckdbConnector::~DuckdbConnector() = default;

int DuckdbConnector::open_connections() const {
  return 0;
}

}  // namespace freshguard
