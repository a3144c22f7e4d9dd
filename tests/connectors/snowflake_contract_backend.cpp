// Contract backend for Snowflake: the connector over HTTPS against the local Snowflake SQL
// API test server (tests/support/snowflake_test_server.hpp), whose SQL runs on SQLite.

#include <freshguard/connectors/snowflake_connector.hpp>

#include "connectors/contract_backend.hpp"
#include "connectors/snowflake_fixture.hpp"

namespace freshguard::testing {
namespace {

class SnowflakeBackend final : public ContractBackend {
 public:
  std::string name() const override { return "snowflake"; }
  void create_fixture() override { server_ = make_snowflake_fixture_server(); }
  std::string default_schema() const override { return kSnowflakeSchema; }
  std::string other_schema() const override { return kSnowflakeOtherSchema; }
  std::unique_ptr<Connector> make_connector(std::chrono::milliseconds timeout) override {
    auto o = snowflake_options(*server_, dir_);
    o.source_name = "contract";
    o.timeout = timeout;
    return std::make_unique<SnowflakeConnector>(std::move(o));
  }
  config::SourceConfig source_config() const override {
    config::SourceConfig s;
    s.type = config::SourceType::kSnowflake;
    s.database = kSnowflakeDatabase;
    return s;
  }
  // The statements the test server received (EXPLAINs included, as their own text).
  std::vector<std::string> received() override { return server_->statements(); }

 private:
  TempDir dir_;
  std::unique_ptr<SnowflakeTestServer> server_;
};

}  // namespace

std::unique_ptr<ContractBackend> make_snowflake_backend() {
  return std::make_unique<SnowflakeBackend>();
}

}  // namespace freshguard::testing
