#pragma once
// The Snowflake test server loaded with the contract fixture, and connector options for it.

#include <memory>

#include <freshguard/connectors/snowflake_connector.hpp>

#include "support/snowflake_test_server.hpp"

namespace freshguard::testing {

inline constexpr const char* kSnowflakeDatabase = "FG_DB";
inline constexpr const char* kSnowflakeSchema = "PUBLIC";
inline constexpr const char* kSnowflakeOtherSchema = "OTHER_SCHEMA";

/// A server with the contract tables (created with quoted lower-case names, as dbt and
/// loaders often do), a MixedCase table in OTHER_SCHEMA, and ORDERS, an ordinary unquoted
/// (upper-case) Snowflake table with a TIMESTAMP_LTZ column. Statements reading
/// contract_slow never finish.
inline std::unique_ptr<SnowflakeTestServer> make_snowflake_fixture_server(
    const Clock* clock = nullptr) {
  auto server = std::make_unique<SnowflakeTestServer>(
      kSnowflakeDatabase, std::vector<std::string>{kSnowflakeSchema, kSnowflakeOtherSchema}, clock);
  server->exec(R"sql(
    CREATE TABLE PUBLIC."contract_events" ("id" NUMBER PRIMARY KEY, "name" TEXT NOT NULL,
                                           "naive_ts" TIMESTAMP_NTZ, "aware_ts" TIMESTAMP_TZ,
                                           "note" TEXT);
    INSERT INTO PUBLIC."contract_events" VALUES
      (1, 'a', '2026-11-27 12:00:00', '2026-11-27 12:00:00+00:00', NULL),
      (2, 'b', '2026-11-27 13:00:00', '2026-11-27 15:00:00+02:00', 'x'),
      (3, 'c', NULL, NULL, NULL);
    CREATE TABLE PUBLIC."contract_empty" ("ts" TIMESTAMP_NTZ);
    CREATE TABLE PUBLIC."contract_nulls" ("ts" TIMESTAMP_NTZ);
    INSERT INTO PUBLIC."contract_nulls" VALUES (NULL), (NULL);
    CREATE TABLE OTHER_SCHEMA."MixedCase" ("LoadedAt" TIMESTAMP_NTZ);
    INSERT INTO OTHER_SCHEMA."MixedCase" VALUES ('2026-11-27 14:00:00');
    CREATE VIEW PUBLIC."contract_slow" AS SELECT "naive_ts" AS "ts" FROM "contract_events";
    CREATE TABLE PUBLIC.ORDERS (ID NUMBER PRIMARY KEY, LOADED_AT TIMESTAMP_LTZ, DAY DATE);
    INSERT INTO PUBLIC.ORDERS VALUES (1, 1795787400, '2026-11-26'), (2, 1795786800, '2026-11-27');
  )sql");
  server->stall_table("contract_slow");
  return server;
}

/// Options pointing at `server` with key-pair auth; key `key_index` 0 is the one the server
/// trusts (its PEM is written to `dir`).
inline SnowflakeOptions snowflake_options(const SnowflakeTestServer& server, const TempDir& dir,
                                          int key_index = 0) {
  SnowflakeOptions o;
  o.account = SnowflakeTestServer::kAccount;
  o.user = SnowflakeTestServer::kUser;
  o.private_key_file =
      dir.write("sf-" + std::to_string(key_index) + ".p8", test_rsa_key_pem(key_index)).string();
  o.database = kSnowflakeDatabase;
  o.warehouse = "monitor_wh";
  o.role = "reader";
  o.endpoint = server.base_url();
  o.ca_file = server.ca_file();
  return o;
}

}  // namespace freshguard::testing
