// The Snowflake SQL API test server on its own, over real HTTPS with the library's HTTP client:
// key-pair JWT and OAuth auth, sync/async submission, polling and cancelling a stalled
// statement, partitions, bindings, jsonv2 values, EXPLAIN USING JSON, SHOW PRIMARY KEYS,
// INFORMATION_SCHEMA, error mapping and injected failures.

#include "support/snowflake_test_server.hpp"

#include <gtest/gtest.h>

#include <freshguard/net/http_client.hpp>

namespace freshguard::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z
constexpr std::int64_t kNoon = 1795780800;  // 2026-11-27T12:00:00Z

struct Claims {
  int key = 0;
  std::string iss;  // empty: the right one
  std::string sub = "FGORG-FGACCT.MONITOR";
  std::int64_t iat = kBase;
  std::int64_t exp = kBase + 3600;
};

class SnowflakeServerTest : public ::testing::Test {
 protected:
  SnowflakeServerTest()
      : clock_(WallTime(seconds(kBase))),
        server_("FG_DB", {"PUBLIC", "OTHER_SCHEMA"}, &clock_),
        http_(net::HttpOptions{server_.ca_file()}) {
    server_.exec(R"sql(
      CREATE TABLE PUBLIC.events (id NUMBER PRIMARY KEY, name VARCHAR NOT NULL,
        ntz TIMESTAMP_NTZ, ltz TIMESTAMP_LTZ, tz TIMESTAMP_TZ, d DATE, score FLOAT, ok BOOLEAN);
      INSERT INTO PUBLIC.events VALUES
        (1, 'a', '2026-11-27 12:00:00', unixepoch('2026-11-27 12:00:00'),
         '2026-11-27 15:00:00+02:00', '2026-11-27', 1.5, 1),
        (2, 'b', NULL, NULL, NULL, NULL, NULL, 0),
        (3, 'c', '1969-12-31 12:00:00', 0, '2026-11-27 08:30:00-05:30', '1969-12-31', 2, 1);
      CREATE TABLE PUBLIC.composite (a INT, b TEXT, PRIMARY KEY (b, a));
      CREATE TABLE PUBLIC.typed (i INTEGER NOT NULL, v VARCHAR(10), f DOUBLE, s STRING);
      CREATE VIEW PUBLIC.slow AS SELECT ntz FROM events;
      CREATE TABLE OTHER_SCHEMA."MixedCase" ("LoadedAt" TIMESTAMP_NTZ);
      INSERT INTO OTHER_SCHEMA."MixedCase" VALUES ('2026-11-27 14:00:00');
    )sql");
    server_.stall_table("slow");
  }

  static std::string jwt(const Claims& c) {
    const auto key = net::RsaPrivateKey::from_pem(test_rsa_key_pem(c.key), "test key");
    const auto fp =
        net::RsaPrivateKey::from_pem(test_rsa_key_pem(0), "k0").public_key_fingerprint();
    const Json claims = {{"iss", c.iss.empty() ? "FGORG-FGACCT.MONITOR." + fp : c.iss},
                         {"sub", c.sub},
                         {"iat", c.iat},
                         {"exp", c.exp}};
    return net::make_jwt_rs256(claims.dump(), key);
  }
  net::HttpResponse send(const std::string& method, const std::string& target,
                         const std::string& body, const std::string& token,
                         const std::string& type = "KEYPAIR_JWT") const {
    net::HttpRequest req;
    req.method = method;
    req.url = server_.base_url() + target;
    req.body = body;
    req.headers = {"Content-Type: application/json", "Accept: application/json"};
    if (!token.empty()) req.headers.push_back("Authorization: Bearer " + token);
    if (!type.empty()) req.headers.push_back("X-Snowflake-Authorization-Token-Type: " + type);
    return http_.send(req, std::chrono::milliseconds(5000), "snowflake test");
  }
  net::HttpResponse submit(const std::string& statement, const std::string& query = "",
                           Json extra = Json::object()) {
    extra["statement"] = statement;
    extra["timeout"] = 30;
    extra["warehouse"] = "WH";
    return send("POST", "/api/v2/statements" + query, extra.dump(), token_);
  }
  net::HttpResponse get(const std::string& target) { return send("GET", target, "", token_); }
  static Json parse(const net::HttpResponse& r) { return Json::parse(r.body); }
  Json rows(const std::string& statement, Json extra = Json::object()) {
    const auto r = submit(statement, "", std::move(extra));
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r)["data"];
  }

  ManualClock clock_;
  SnowflakeTestServer server_;
  net::HttpClient http_;
  const std::string token_ = jwt({});
};

TEST_F(SnowflakeServerTest, AcceptsAKeyPairJwtAndLogsTheRequest) {
  const auto r = submit(R"(SELECT COUNT(*) FROM "FG_DB"."PUBLIC"."events")");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json body = parse(r);
  EXPECT_EQ(body["data"], Json::parse(R"([["3"]])"));
  EXPECT_EQ(body["code"], "090001");
  EXPECT_EQ(body["sqlState"], "00000");
  EXPECT_EQ(body["resultSetMetaData"]["format"], "jsonv2");
  EXPECT_EQ(body["resultSetMetaData"]["rowType"][0]["type"], "fixed");
  EXPECT_EQ(body["statementStatusUrl"],
            "/api/v2/statements/" + body["statementHandle"].get<std::string>());
  EXPECT_EQ(body["createdOn"], kBase * 1000);
  const auto log = server_.log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].token_type, "KEYPAIR_JWT");
  EXPECT_EQ(log[0].bearer, token_);
  EXPECT_EQ(log[0].path, "/api/v2/statements");
  EXPECT_FALSE(log[0].explain);
  EXPECT_EQ(server_.distinct_bearers(), 1);
}

TEST_F(SnowflakeServerTest, RejectsBadJwts) {
  const std::string fp =
      net::RsaPrivateKey::from_pem(test_rsa_key_pem(0), "k").public_key_fingerprint();
  const std::vector<Claims> bad = {
      {.key = 1},                                   // not the registered key
      {.iss = "FGORG-FGACCT.MONITOR.SHA256:AAAA"},  // wrong fingerprint
      {.iss = "fgorg-fgacct.monitor." + fp},        // not upper-cased
      {.sub = "FGORG-FGACCT.OTHER"},                // wrong user
      {.iat = kBase - 7200, .exp = kBase - 1},      // expired
      {.iat = kBase, .exp = kBase + 7200},          // lives longer than an hour
      {.iat = kBase + 120, .exp = kBase + 600},     // issued in the future
  };
  for (const auto& c : bad) {
    const auto r = send("POST", "/api/v2/statements", R"({"statement":"SELECT 1"})", jwt(c));
    EXPECT_EQ(r.status, 401) << c.iss << " " << c.sub << " " << c.iat;
    EXPECT_EQ(parse(r)["code"], "390144");
    EXPECT_EQ(parse(r)["message"].get<std::string>().rfind("JWT token is invalid. [", 0), 0u);
  }
  EXPECT_EQ(send("GET", "/api/v2/statements/x", "", token_, "").status, 401);
  EXPECT_EQ(send("GET", "/api/v2/statements/x", "", token_, "PASSWORD").status, 401);
  EXPECT_EQ(send("GET", "/api/v2/statements/x", "", "", "KEYPAIR_JWT").status, 401);
  EXPECT_EQ(send("GET", "/api/v2/statements/x", "", "not.a.jwt").status, 401);
  EXPECT_EQ(server_.distinct_bearers(), 0);
  // A minute of clock skew is tolerated.
  EXPECT_EQ(send("GET", "/api/v2/statements/x", "", jwt({.iat = kBase + 60})).status, 404);
}

TEST_F(SnowflakeServerTest, RevokedJwtsAreRejectedAndNewOnesAccepted) {
  const std::string first = token_;
  EXPECT_EQ(send("POST", "/api/v2/statements", R"({"statement":"SELECT 1"})", first).status, 200);
  server_.revoke_jwts();
  EXPECT_EQ(send("POST", "/api/v2/statements", R"({"statement":"SELECT 1"})", first).status, 401);
  const std::string second = jwt({.iat = kBase + 1, .exp = kBase + 3601});
  EXPECT_EQ(send("POST", "/api/v2/statements", R"({"statement":"SELECT 1"})", second).status, 200);
  EXPECT_EQ(server_.distinct_bearers(), 2);
}

TEST_F(SnowflakeServerTest, AcceptsOnlyRegisteredOauthTokens) {
  server_.add_oauth_token("oauth-token-1");
  const std::string body = R"({"statement":"SELECT 1"})";
  EXPECT_EQ(send("POST", "/api/v2/statements", body, "oauth-token-1", "OAUTH").status, 200);
  const auto bad = send("POST", "/api/v2/statements", body, "oauth-token-2", "OAUTH");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(parse(bad)["code"], "390303");
  EXPECT_EQ(parse(bad)["message"].get<std::string>().rfind("Invalid OAuth access token. [", 0), 0u);
  EXPECT_EQ(send("POST", "/api/v2/statements", body, "oauth-token-1", "KEYPAIR_JWT").status, 401);
  EXPECT_EQ(send("POST", "/api/v2/statements", body, token_, "OAUTH").status, 401);
  EXPECT_EQ(server_.distinct_bearers(), 1);
  EXPECT_EQ(server_.log()[0].token_type, "OAUTH");
}

TEST_F(SnowflakeServerTest, AsyncSubmitReturnsAHandleToPoll) {
  const auto r = submit(R"(SELECT name FROM "FG_DB"."PUBLIC"."events" WHERE id = 1)",
                        "?async=true&requestId=6a1b2c3d-0000-4000-8000-000000000001&nullable=true");
  ASSERT_EQ(r.status, 202) << r.body;
  const Json status = parse(r);
  EXPECT_EQ(status["code"], "333334");
  EXPECT_NE(status["message"].get<std::string>().find("Asynchronous execution in progress"),
            std::string::npos);
  const std::string url = status["statementStatusUrl"];
  EXPECT_EQ(url, "/api/v2/statements/" + status["statementHandle"].get<std::string>());
  const auto done = get(url);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(parse(done)["data"], Json::parse(R"([["a"]])"));
  EXPECT_EQ(server_.polls(), 1);
  const auto log = server_.log();
  EXPECT_EQ(log[0].query,
            "async=true&requestId=6a1b2c3d-0000-4000-8000-000000000001&nullable=true");
  EXPECT_EQ(log[1].method, "GET");
  EXPECT_EQ(log[1].path, url);
  EXPECT_EQ(log[1].statement, "");
}

TEST_F(SnowflakeServerTest, AsyncErrorsAreReportedOnTheFirstPoll) {
  const auto r = submit(R"(SELECT * FROM "FG_DB"."PUBLIC"."nope")", "?async=true");
  ASSERT_EQ(r.status, 202) << r.body;
  const auto failed = get(parse(r)["statementStatusUrl"]);
  EXPECT_EQ(failed.status, 422);
  EXPECT_EQ(parse(failed)["code"], "002003");
  EXPECT_EQ(parse(failed)["statementHandle"], parse(r)["statementHandle"]);
}

TEST_F(SnowflakeServerTest, AStalledStatementIsPolledThenCancelled) {
  const auto r = submit(R"(SELECT MAX("ntz") FROM "FG_DB"."PUBLIC"."slow")");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string handle = parse(r)["statementHandle"];
  EXPECT_EQ(get("/api/v2/statements/" + handle).status, 202);
  const auto c = send("POST", "/api/v2/statements/" + handle + "/cancel", "", token_);
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(parse(c)["code"], "000604");
  EXPECT_EQ(parse(c)["sqlState"], "57014");
  EXPECT_EQ(parse(c)["statementHandle"], handle);
  const auto after = get("/api/v2/statements/" + handle);
  EXPECT_EQ(after.status, 422);
  EXPECT_EQ(parse(after)["code"], "000604");
  EXPECT_EQ(parse(after)["message"], "SQL execution canceled");
  EXPECT_EQ(server_.cancels(), 1);
  EXPECT_EQ(server_.polls(), 2);
  const auto unknown = get("/api/v2/statements/01bf-unknown");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(parse(unknown)["code"], "333333");
  EXPECT_EQ(send("POST", "/api/v2/statements/01bf-unknown/cancel", "", token_).status, 404);
}

TEST_F(SnowflakeServerTest, ResultsAreSplitIntoPartitions) {
  server_.set_partition_rows(1);
  const auto r = submit(R"(SELECT id FROM "FG_DB"."PUBLIC"."events" ORDER BY id)");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json first = parse(r);
  EXPECT_EQ(first["data"], Json::parse(R"([["1"]])"));
  EXPECT_EQ(first["resultSetMetaData"]["numRows"], 3);
  ASSERT_EQ(first["resultSetMetaData"]["partitionInfo"].size(), 3u);
  EXPECT_EQ(first["resultSetMetaData"]["partitionInfo"][1]["rowCount"], 1);
  const std::string url = first["statementStatusUrl"];
  const auto second = get(url + "?partition=1");
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(parse(second), Json::parse(R"({"data": [["2"]]})"));
  EXPECT_EQ(parse(get(url + "?partition=2")), Json::parse(R"({"data": [["3"]]})"));
  EXPECT_EQ(parse(get(url + "?partition=0"))["data"], Json::parse(R"([["1"]])"));
  EXPECT_EQ(get(url + "?partition=3").status, 422);
  EXPECT_EQ(get(url + "?partition=x").status, 422);
  EXPECT_EQ(server_.log()[1].query, "partition=1");
}

TEST_F(SnowflakeServerTest, EmptyResultsHaveOneEmptyPartition) {
  const auto r = submit(R"(SELECT id FROM "FG_DB"."PUBLIC"."events" WHERE id > 99)");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse(r)["data"], Json::array());
  EXPECT_EQ(parse(r)["resultSetMetaData"]["numRows"], 0);
  EXPECT_EQ(parse(r)["resultSetMetaData"]["partitionInfo"].size(), 1u);
}

TEST_F(SnowflakeServerTest, PositionalBindingsAreBound) {
  const Json bindings = {
      {"bindings",
       {{"1", {{"type", "FIXED"}, {"value", "2"}}}, {"2", {{"type", "TEXT"}, {"value", "b"}}}}}};
  EXPECT_EQ(
      rows(R"(SELECT name FROM "FG_DB"."PUBLIC"."events" WHERE id = ? AND name = ?)", bindings),
      Json::parse(R"([["b"]])"));
  EXPECT_EQ(server_.statements().size(), 1u);
  EXPECT_EQ(server_.count_statements("WHERE id = ?"), 1);
  EXPECT_EQ(server_.count_statements("nothing like it"), 0);
}

TEST_F(SnowflakeServerTest, ValuesAreEncodedAsJsonv2) {
  const auto r = submit(
      R"(SELECT ntz, ltz, tz, d, score, ok, id, name FROM "FG_DB"."PUBLIC"."events" ORDER BY id)");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json body = parse(r);
  std::vector<std::string> types;
  for (const auto& c : body["resultSetMetaData"]["rowType"])
    types.push_back(c["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"timestamp_ntz", "timestamp_ltz", "timestamp_tz",
                                             "date", "real", "boolean", "fixed", "text"}));
  const std::string noon = std::to_string(kNoon) + ".000000000";
  // 15:00+02:00 is 13:00Z; 08:30-05:30 is 14:00Z; 2026-11-27 is day 20784.
  EXPECT_EQ(body["data"][0], Json({noon, noon, std::to_string(kNoon + 3600) + ".000000000 1560",
                                   "20784", "1.5", "true", "1", "a"}));
  EXPECT_EQ(body["data"][1], Json::parse(R"([null, null, null, null, null, "false", "2", "b"])"));
  EXPECT_EQ(body["data"][2][0], "-43200.000000000");
  EXPECT_EQ(body["data"][2][1], "0.000000000");
  EXPECT_EQ(body["data"][2][2], std::to_string(kBase) + ".000000000 1110");
  EXPECT_EQ(body["data"][2][3], "-1");
}

TEST_F(SnowflakeServerTest, AggregatesTakeTheirColumnsTypes) {
  const auto r = submit(
      R"(SELECT MAX("ltz") AS "m", MIN("tz"), COUNT(*) AS "n", 1.5 FROM "FG_DB"."PUBLIC"."events")");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json body = parse(r);
  const Json& rt = body["resultSetMetaData"]["rowType"];
  EXPECT_EQ(rt[0]["type"], "timestamp_ltz");
  EXPECT_EQ(rt[0]["name"], "m");
  EXPECT_EQ(rt[1]["type"], "timestamp_tz");
  EXPECT_EQ(rt[2]["type"], "fixed");
  EXPECT_EQ(rt[3]["type"], "real");
  EXPECT_EQ(body["data"][0][0], std::to_string(kNoon) + ".000000000");
  const auto mixed = rows(R"(SELECT MAX("LoadedAt") FROM "FG_DB"."OTHER_SCHEMA"."MixedCase")");
  EXPECT_EQ(mixed, Json::array({Json::array({std::to_string(kBase) + ".000000000"})}));
}

TEST_F(SnowflakeServerTest, ExplainUsingJsonCompilesOnlyAndReportsBytes) {
  server_.set_explain_bytes(5000);
  const auto r =
      submit(R"(EXPLAIN USING JSON SELECT MAX("ntz") FROM "FG_DB"."PUBLIC"."slow" WHERE 1 = ?)", "",
             {{"bindings", {{"1", {{"type", "FIXED"}, {"value", "1"}}}}}});
  ASSERT_EQ(r.status, 200) << r.body;  // the stalled view is not stalled here
  const Json body = parse(r);
  EXPECT_EQ(body["resultSetMetaData"]["rowType"][0]["name"], "content");
  EXPECT_EQ(body["resultSetMetaData"]["rowType"][0]["type"], "text");
  const Json plan = Json::parse(body["data"][0][0].get<std::string>());
  EXPECT_EQ(plan["GlobalStats"]["bytesAssigned"], 5000);
  EXPECT_EQ(plan["GlobalStats"]["partitionsTotal"], 1);
  EXPECT_EQ(plan["Operations"][0][0]["operation"], "Result");
  EXPECT_TRUE(server_.log()[0].explain);
  const auto missing = submit(R"(explain using json SELECT * FROM "FG_DB"."PUBLIC"."nope")");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(parse(missing)["code"], "002003");
}

TEST_F(SnowflakeServerTest, ShowPrimaryKeysListsKeyColumnsInOrder) {
  const Json keys = rows(R"(show primary keys in table "FG_DB"."PUBLIC"."composite")");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0][4], "b");
  EXPECT_EQ(keys[0][5], "1");
  EXPECT_EQ(keys[1][4], "a");
  EXPECT_EQ(keys[1][5], "2");
  EXPECT_EQ(keys[0][1], "FG_DB");
  EXPECT_EQ(keys[0][2], "PUBLIC");
  EXPECT_EQ(keys[0][3], "composite");
  const auto r = submit(R"(SHOW PRIMARY KEYS IN TABLE "FG_DB"."PUBLIC"."slow")");
  ASSERT_EQ(r.status, 200);  // not stalled; a view has no key
  EXPECT_EQ(parse(r)["data"], Json::array());
  std::vector<std::string> names;
  const Json shown = parse(r);
  for (const auto& c : shown["resultSetMetaData"]["rowType"])
    names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"created_on", "database_name", "schema_name",
                                             "table_name", "column_name", "key_sequence",
                                             "constraint_name", "comment"}));
  for (const char* missing : {R"(SHOW PRIMARY KEYS IN TABLE "FG_DB"."PUBLIC"."nope")",
                              R"(SHOW PRIMARY KEYS IN TABLE "OTHER_DB"."PUBLIC"."events")",
                              R"(SHOW PRIMARY KEYS IN TABLE "FG_DB"."NOPE"."events")"}) {
    const auto e = submit(missing);
    EXPECT_EQ(e.status, 422) << missing;
    EXPECT_EQ(parse(e)["code"], "002003") << missing;
  }
}

TEST_F(SnowflakeServerTest, InformationSchemaTablesIsRebuiltPerStatement) {
  server_.set_last_altered("PUBLIC", "events", kBase);
  const std::string sql =
      R"(SELECT TABLE_CATALOG, TABLE_NAME, TABLE_TYPE, ROW_COUNT, BYTES, LAST_ALTERED
         FROM "FG_DB".INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME)";
  const Json args = {{"bindings", {{"1", {{"type", "TEXT"}, {"value", "PUBLIC"}}}}}};
  const auto r = submit(sql, "", args);
  ASSERT_EQ(r.status, 200) << r.body;
  const Json body = parse(r);
  std::vector<std::string> types;
  for (const auto& c : body["resultSetMetaData"]["rowType"])
    types.push_back(c["type"]);
  EXPECT_EQ(types,
            (std::vector<std::string>{"text", "text", "text", "fixed", "fixed", "timestamp_ltz"}));
  const std::string t = std::to_string(kBase) + ".000000000";
  EXPECT_EQ(body["data"],
            Json({{"FG_DB", "composite", "BASE TABLE", "0", "0", "1795000000.000000000"},
                  {"FG_DB", "events", "BASE TABLE", "3", "3072", t},
                  {"FG_DB", "slow", "VIEW", nullptr, nullptr, "1795000000.000000000"},
                  {"FG_DB", "typed", "BASE TABLE", "0", "0", "1795000000.000000000"}}));
  server_.exec("INSERT INTO PUBLIC.typed VALUES (1, 'x', 1.0, 'y')");
  const Json other = rows(
      R"(SELECT TABLE_SCHEMA, TABLE_NAME, ROW_COUNT FROM INFORMATION_SCHEMA.TABLES
         WHERE TABLE_NAME IN ('typed', 'MixedCase') ORDER BY TABLE_NAME)");
  EXPECT_EQ(other, Json({{"OTHER_SCHEMA", "MixedCase", "1"}, {"PUBLIC", "typed", "1"}}));
}

TEST_F(SnowflakeServerTest, InformationSchemaColumnsReportsSnowflakeTypes) {
  const Json cols = rows(
      R"(SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, IS_NULLABLE, DATA_TYPE
         FROM "FG_DB".INFORMATION_SCHEMA.COLUMNS
         WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_NAME IN ('typed', 'events')
         ORDER BY TABLE_NAME, ORDINAL_POSITION)");
  ASSERT_EQ(cols.size(), 12u);
  EXPECT_EQ(cols[0], Json({"events", "id", "1", "NO", "NUMBER"}));
  EXPECT_EQ(cols[1], Json({"events", "name", "2", "NO", "TEXT"}));
  EXPECT_EQ(cols[2], Json({"events", "ntz", "3", "YES", "TIMESTAMP_NTZ"}));
  EXPECT_EQ(cols[4], Json({"events", "tz", "5", "YES", "TIMESTAMP_TZ"}));
  EXPECT_EQ(cols[6], Json({"events", "score", "7", "YES", "FLOAT"}));
  EXPECT_EQ(cols[8], Json({"typed", "i", "1", "NO", "NUMBER"}));
  EXPECT_EQ(cols[9], Json({"typed", "v", "2", "YES", "TEXT"}));
  EXPECT_EQ(cols[10], Json({"typed", "f", "3", "YES", "FLOAT"}));
  EXPECT_EQ(cols[11], Json({"typed", "s", "4", "YES", "TEXT"}));
}

TEST_F(SnowflakeServerTest, SqlErrorsMapToSnowflakeCodes) {
  const auto table = submit(R"(SELECT * FROM "FG_DB"."PUBLIC"."nope")");
  ASSERT_EQ(table.status, 422);
  EXPECT_EQ(parse(table)["code"], "002003");
  EXPECT_EQ(parse(table)["sqlState"], "42S02");
  EXPECT_EQ(parse(table)["message"],
            "SQL compilation error:\nObject 'FG_DB.PUBLIC.nope' does not exist or not authorized.");
  EXPECT_TRUE(parse(table).contains("statementHandle"));
  EXPECT_TRUE(parse(table).contains("createdOn"));
  const auto column = submit(R"(SELECT "nope" FROM "FG_DB"."PUBLIC"."events")");
  EXPECT_EQ(column.status, 422);
  EXPECT_EQ(parse(column)["code"], "000904");
  EXPECT_NE(parse(column)["message"].get<std::string>().find("invalid identifier '\"nope\"'"),
            std::string::npos);
  const auto syntax = submit("SELEC 1");
  EXPECT_EQ(syntax.status, 422);
  EXPECT_EQ(parse(syntax)["code"], "001003");
  EXPECT_EQ(parse(syntax)["message"].get<std::string>().rfind("SQL compilation error:\n", 0), 0u);
  const auto db = submit("SELECT 1", "", {{"database", "OTHER_DB"}, {"schema", "PUBLIC"}});
  EXPECT_EQ(db.status, 422);
  EXPECT_EQ(parse(db)["code"], "002043");
  EXPECT_EQ(parse(db)["sqlState"], "02000");
  EXPECT_EQ(parse(db)["message"],
            "SQL compilation error:\nDatabase 'OTHER_DB' does not exist or not authorized.");
  EXPECT_EQ(rows("SELECT 1", {{"database", "FG_DB"}, {"role", "R"}}), Json::parse(R"([["1"]])"));
  const auto no_statement = send("POST", "/api/v2/statements", R"({"timeout": 5})", token_);
  EXPECT_EQ(no_statement.status, 400);
  EXPECT_EQ(parse(no_statement)["code"], "391902");
  EXPECT_EQ(send("POST", "/api/v2/statements", "not json", token_).status, 400);
}

TEST_F(SnowflakeServerTest, InjectedFailuresHaveTextBodies) {
  server_.fail_next(429, 2);
  for (int i = 0; i < 2; ++i) {
    const auto r = submit("SELECT 1");
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.body, "Too many requests");
  }
  EXPECT_EQ(submit("SELECT 1").status, 200);
  server_.fail_next(503);
  const auto r = get("/api/v2/statements/anything");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "Service Unavailable");
  EXPECT_EQ(server_.log().size(), 4u);
  EXPECT_EQ(server_.statements().size(), 3u);
  server_.clear_log();
  EXPECT_TRUE(server_.log().empty());
}

}  // namespace
}  // namespace freshguard::testing
