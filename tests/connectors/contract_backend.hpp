#pragma once
// The shared connector contract: every connector runs the same suite against its real
// engine (contract_test.cpp). A backend knows how to create the fixture tables in its own
// dialect and how to make its connector.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <freshguard/config/config.hpp>
#include <freshguard/connectors/connector.hpp>

namespace freshguard::testing {

/// One engine under the contract suite. Setup runs with the engine's own client, never
/// through the connector (which is read-only).
class ContractBackend {
 public:
  virtual ~ContractBackend() = default;
  virtual std::string name() const = 0;
  /// False when the engine cannot run here (the suite then skips, or fails when required).
  virtual bool available() const { return true; }
  /// True when the engine must run here (its test server was started for this run): the
  /// suite then fails instead of skipping when it is not available.
  virtual bool required() const { return false; }
  /// Creates the fixture (see contract_test.cpp for what it must contain).
  virtual void create_fixture() = 0;
  /// The schema unqualified names resolve to.
  virtual std::string default_schema() const = 0;
  /// A second schema holding "MixedCase"; empty when the engine has only one.
  virtual std::string other_schema() const = 0;
  virtual std::unique_ptr<Connector> make_connector(std::chrono::milliseconds timeout) = 0;
  /// The source as a config would describe it: its type and the keys that name things
  /// (schema, database, dataset, project), which is all `freshguard explain` reads.
  virtual config::SourceConfig source_config() const = 0;
  /// Every data query the engine has received from this backend's connectors, as the
  /// engine received it: the server's statement log (PostgreSQL), its general log
  /// (MariaDB), the test server's request log (BigQuery, Snowflake), the driver's recorded
  /// text (SQLite, DuckDB).
  virtual std::vector<std::string> received() = 0;
};

/// The backends, defined beside the engine-specific test code.
std::unique_ptr<ContractBackend> make_sqlite_backend();
std::unique_ptr<ContractBackend> make_duckdb_backend();
/// PostgreSQL from scripts/pg-test-server.sh (FRESHGUARD_TEST_PG_ENV); required when
/// FRESHGUARD_REQUIRE_PG=1.
std::unique_ptr<ContractBackend> make_postgres_backend();
/// MariaDB from scripts/mariadb-test-server.sh (FRESHGUARD_TEST_MYSQL_ENV); required when
/// FRESHGUARD_REQUIRE_MYSQL=1.
std::unique_ptr<ContractBackend> make_mysql_backend();
/// BigQuery: the connector against tests/support/bigquery_test_server.hpp (HTTPS, SQLite).
std::unique_ptr<ContractBackend> make_bigquery_backend();
/// Snowflake: the connector against tests/support/snowflake_test_server.hpp (HTTPS, SQLite).
std::unique_ptr<ContractBackend> make_snowflake_backend();

}  // namespace freshguard::testing
