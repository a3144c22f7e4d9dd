#pragma once
// The BigQuery test server loaded with the contract fixture, and connector options for it.

#include <memory>

#include <freshguard/connectors/bigquery_connector.hpp>

#include "support/bigquery_test_server.hpp"

namespace freshguard::testing {

inline constexpr const char* kBigqueryDataset = "fg_ds";
inline constexpr const char* kBigqueryOtherDataset = "other_ds";

/// A server with the contract tables (TIMESTAMP holds int64 microseconds, DATETIME naive
/// text); jobs reading contract_slow never finish.
inline std::unique_ptr<BigqueryTestServer> make_bigquery_fixture_server() {
  auto server = std::make_unique<BigqueryTestServer>(
      std::vector<std::string>{kBigqueryDataset, kBigqueryOtherDataset});
  server->exec(R"sql(
    CREATE TABLE fg_ds.contract_events (id INT64 PRIMARY KEY, name STRING NOT NULL,
                                        naive_ts DATETIME, aware_ts TIMESTAMP, note STRING);
    INSERT INTO fg_ds.contract_events VALUES
      (1, 'a', '2026-11-27 12:00:00', unixepoch('2026-11-27 12:00:00') * 1000000, NULL),
      (2, 'b', '2026-11-27 13:00:00', unixepoch('2026-11-27 15:00:00+02:00') * 1000000, 'x'),
      (3, 'c', NULL, NULL, NULL);
    CREATE TABLE fg_ds.contract_empty (ts TIMESTAMP);
    CREATE TABLE fg_ds.contract_nulls (ts TIMESTAMP);
    INSERT INTO fg_ds.contract_nulls VALUES (NULL), (NULL);
    CREATE TABLE other_ds."MixedCase" ("LoadedAt" DATETIME);
    INSERT INTO other_ds."MixedCase" VALUES ('2026-11-27 14:00:00');
    CREATE VIEW fg_ds.contract_slow AS SELECT naive_ts AS ts FROM contract_events;
  )sql");
  server->stall_table("contract_slow");
  return server;
}

/// Options pointing at `server`, with a key file written to `dir`.
inline BigqueryOptions bigquery_options(const BigqueryTestServer& server, const TempDir& dir,
                                        int key_index = 0) {
  BigqueryOptions o;
  o.project = BigqueryTestServer::kProject;
  o.dataset = kBigqueryDataset;
  o.location = "US";
  o.endpoint = server.base_url();
  o.ca_file = server.ca_file();
  o.credentials_file = server.write_key_file(dir, key_index);
  return o;
}

}  // namespace freshguard::testing
