// Contract backend for BigQuery: the connector over HTTPS against the local BigQuery test
// server (tests/support/bigquery_test_server.hpp), whose SQL runs on SQLite.

#include <freshguard/connectors/bigquery_connector.hpp>

#include "connectors/bigquery_fixture.hpp"
#include "connectors/contract_backend.hpp"

namespace freshguard::testing {
namespace {

class BigqueryBackend final : public ContractBackend {
 public:
  std::string name() const override { return "bigquery"; }
  void create_fixture() override { server_ = make_bigquery_fixture_server(); }
  std::string default_schema() const override { return kBigqueryDataset; }
  std::string other_schema() const override { return kBigqueryOtherDataset; }
  std::unique_ptr<Connector> make_connector(std::chrono::milliseconds timeout) override {
    auto o = bigquery_options(*server_, dir_);
    o.source_name = "contract";
    o.timeout = timeout;
    return std::make_unique<BigqueryConnector>(std::move(o));
  }
  config::SourceConfig source_config() const override {
    config::SourceConfig s;
    s.type = config::SourceType::kBigquery;
    s.project = BigqueryTestServer::kProject;
    s.dataset = kBigqueryDataset;
    return s;
  }
  // The jobs the test server was asked to run (dry runs are the same text).
  std::vector<std::string> received() override {
    std::vector<std::string> out;
    for (const auto& r : server_->log()) {
      if (r.method != "POST" || r.dry_run) continue;
      const auto body = nlohmann::json::parse(r.body, nullptr, false);
      if (body.is_object() && body.contains("query")) out.push_back(body["query"]);
    }
    return out;
  }

 private:
  TempDir dir_;
  std::unique_ptr<BigqueryTestServer> server_;
};

}  // namespace

std::unique_ptr<ContractBackend> make_bigquery_backend() {
  return std::make_unique<BigqueryBackend>();
}

}  // namespace freshguard::testing
