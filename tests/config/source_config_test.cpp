#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::source_doc;

constexpr std::string_view kPostgres =
    "type: postgres\nhost: db.example.com\ndatabase: analytics\nusername: fg\n"
    "password: correct-horse\n";

const SourceConfig& source_of(const LoadResult& r) {
  return r.config->sources.at("src");
}

TEST(SourceConfigTest, PostgresWithDefaults) {
  const auto r = load(source_doc(kPostgres));
  ASSERT_TRUE(loads(r));
  const auto& s = source_of(r);
  EXPECT_EQ(s.name, "src");
  EXPECT_EQ(s.type, SourceType::kPostgres);
  EXPECT_EQ(s.host, "db.example.com");
  EXPECT_EQ(s.port, 5432);
  EXPECT_EQ(s.database, "analytics");
  EXPECT_EQ(s.username, "fg");
  EXPECT_EQ(s.password, "correct-horse");
  EXPECT_EQ(s.ssl, SslMode::kVerifyFull);
  EXPECT_EQ(s.ssl_root_cert, "");
  EXPECT_EQ(s.schema, "");
  EXPECT_EQ(s.timeout_ms, 30000);
  EXPECT_EQ(s.max_connections, 20);
}

TEST(SourceConfigTest, MysqlDefaultPortAndAllServerFields) {
  const auto r = load(source_doc(
      "type: mysql\nhost: h\ndatabase: d\nusername: u\npassword: 12345678\nssl: require\n"
      "ssl_root_cert: /etc/ca.pem\nschema: sales\ntimeout_ms: 1000\nmax_connections: 1\n"));
  ASSERT_TRUE(loads(r));
  const auto& s = source_of(r);
  EXPECT_EQ(s.type, SourceType::kMysql);
  EXPECT_EQ(s.port, 3306);
  EXPECT_EQ(s.password, "12345678");
  EXPECT_EQ(s.ssl, SslMode::kRequire);
  EXPECT_EQ(s.ssl_root_cert, "/etc/ca.pem");
  EXPECT_EQ(s.schema, "sales");
  EXPECT_EQ(s.timeout_ms, 1000);
  EXPECT_EQ(s.max_connections, 1);
}

TEST(SourceConfigTest, PortRange) {
  for (const auto* port : {"1", "65535", "\"5433\"", "+42"}) {
    EXPECT_TRUE(loads(load(source_doc(std::string(kPostgres) + "port: " + port))));
  }
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: 0")), "sources.src.port",
                           "must be between 1 and 65535, got 0"));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: 65536")),
                           "sources.src.port", "must be between 1 and 65535, got 65536"));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: -5")),
                           "sources.src.port", "must be between 1 and 65535, got -5"));
}

TEST(SourceConfigTest, PortTypeErrors) {
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: abc")),
                           "sources.src.port", "must be an integer, got \"abc\""));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: 54.5")),
                           "sources.src.port", "must be an integer, got \"54.5\""));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: \"\"")),
                           "sources.src.port", "must be an integer, got \"\""));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: [5432]")),
                           "sources.src.port", "must be an integer, got a list"));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: {a: 1}")),
                           "sources.src.port", "must be an integer, got a map"));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "port: 99999999999999999999")),
                           "sources.src.port", "must be between 1 and 65535, got \"9999"));
}

TEST(SourceConfigTest, PortFromEnvironment) {
  const auto r =
      load(source_doc(std::string(kPostgres) + "port: ${PG_PORT}"), {{"PG_PORT", "6543"}});
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(source_of(r).port, 6543);
}

TEST(SourceConfigTest, NonIntegerFromEnvironmentIsNotEchoed) {
  const auto r =
      load(source_doc(std::string(kPostgres) + "port: ${PG_PORT}"), {{"PG_PORT", "s3cr3t-value"}});
  ASSERT_TRUE(only_problem(r, "sources.src.port", "must be an integer, got the value of"));
  EXPECT_NE(r.problems[0].message.find("${PG_PORT}"), std::string::npos);
  EXPECT_EQ(r.problems[0].message.find("s3cr3t"), std::string::npos);
}

TEST(SourceConfigTest, RequiredServerFields) {
  const auto r = load(source_doc("type: postgres\n"));
  EXPECT_TRUE(has_problem(r, "sources.src.host", "is required"));
  EXPECT_TRUE(has_problem(r, "sources.src.database", "is required"));
  EXPECT_TRUE(has_problem(r, "sources.src.username", "is required"));
  EXPECT_TRUE(has_problem(r, "sources.src.password", "is required"));
  EXPECT_EQ(r.problems.size(), 4U) << testing::describe(r);
  EXPECT_FALSE(r.config.has_value());
}

TEST(SourceConfigTest, EmptyAndNullServerFields) {
  const auto r = load(
      source_doc("type: postgres\nhost: \"\"\ndatabase: ''\nusername:\npassword: correct-horse\n"));
  EXPECT_TRUE(has_problem(r, "sources.src.host", "must not be empty"));
  EXPECT_TRUE(has_problem(r, "sources.src.database", "must not be empty"));
  EXPECT_TRUE(has_problem(r, "sources.src.username", "is required"));
  EXPECT_EQ(r.problems.size(), 3U) << testing::describe(r);
}

TEST(SourceConfigTest, HostMustBeAString) {
  const auto r = load(source_doc(
      "type: postgres\nhost: [a, b]\ndatabase: d\nusername: u\npassword: correct-horse\n"));
  EXPECT_TRUE(only_problem(r, "sources.src.host", "must be a string, got a list"));
}

TEST(SourceConfigTest, ShortPasswordIsNotEchoed) {
  const auto r =
      load(source_doc("type: postgres\nhost: h\ndatabase: d\nusername: u\npassword: pw123\n"));
  ASSERT_TRUE(only_problem(r, "sources.src.password", "must be at least 8 characters"));
  EXPECT_EQ(r.problems[0].message.find("pw123"), std::string::npos);
  EXPECT_EQ(r.problems[0].to_string().find("pw123"), std::string::npos);
}

TEST(SourceConfigTest, PasswordLengthCountsCharacters) {
  const std::string base = "type: postgres\nhost: h\ndatabase: d\nusername: u\npassword: ";
  EXPECT_TRUE(loads(load(source_doc(base + "1234567x"))));
  EXPECT_TRUE(
      has_problem(load(source_doc(base + "1234567")), "sources.src.password", "at least 8"));
  // Four two-byte characters are eight bytes but only four characters.
  EXPECT_TRUE(has_problem(load(source_doc(base + "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9")),
                          "sources.src.password", "at least 8"));
  EXPECT_TRUE(
      has_problem(load(source_doc(base + "\"\"")), "sources.src.password", "must not be empty"));
}

TEST(SourceConfigTest, SslModes) {
  const std::pair<const char*, SslMode> cases[] = {
      {"true", SslMode::kVerifyFull},    {"True", SslMode::kVerifyFull},
      {"TRUE", SslMode::kVerifyFull},    {"false", SslMode::kDisable},
      {"False", SslMode::kDisable},      {"FALSE", SslMode::kDisable},
      {"disable", SslMode::kDisable},    {"require", SslMode::kRequire},
      {"verify-ca", SslMode::kVerifyCa}, {"verify-full", SslMode::kVerifyFull},
  };
  for (const auto& [text, mode] : cases) {
    const auto r = load(source_doc(std::string(kPostgres) + "ssl: " + text));
    ASSERT_TRUE(loads(r)) << text;
    EXPECT_EQ(source_of(r).ssl, mode) << text;
  }
}

TEST(SourceConfigTest, SslErrors) {
  EXPECT_TRUE(only_problem(
      load(source_doc(std::string(kPostgres) + "ssl: maybe")), "sources.src.ssl",
      "must be true, false or one of disable, require, verify-ca, verify-full, got \"maybe\""));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "ssl: [true]")),
                           "sources.src.ssl", "got a list"));
}

TEST(SourceConfigTest, SchemaIsValidatedAsIdentifier) {
  const auto r = load(source_doc(std::string(kPostgres) + "schema: \"public; DROP\""));
  ASSERT_TRUE(only_problem(r, "sources.src.schema", "SECURITY_VIOLATION: "));
  EXPECT_TRUE(r.problems[0].security);
  EXPECT_EQ(r.problems[0].message.find("DROP"), std::string::npos);
}

TEST(SourceConfigTest, TimeoutAndPoolRanges) {
  const std::string base(kPostgres);
  EXPECT_TRUE(loads(load(source_doc(base + "timeout_ms: 60000\nmax_connections: 100"))));
  EXPECT_TRUE(only_problem(load(source_doc(base + "timeout_ms: 999")), "sources.src.timeout_ms",
                           "must be between 1000 and 60000, got 999"));
  EXPECT_TRUE(only_problem(load(source_doc(base + "timeout_ms: 60001")), "sources.src.timeout_ms",
                           "must be between 1000 and 60000, got 60001"));
  EXPECT_TRUE(only_problem(load(source_doc(base + "max_connections: 0")),
                           "sources.src.max_connections", "must be between 1 and 100, got 0"));
  EXPECT_TRUE(only_problem(load(source_doc(base + "max_connections: 101")),
                           "sources.src.max_connections", "must be between 1 and 100, got 101"));
  EXPECT_TRUE(only_problem(load(source_doc(base + "max_connections: many")),
                           "sources.src.max_connections", "must be an integer, got \"many\""));
}

TEST(SourceConfigTest, TypeIsRequired) {
  const auto r = load(source_doc("path: /x.db\nflavour: x\n"));
  EXPECT_TRUE(has_problem(r, "sources.src.type",
                          "is required (one of postgres, mysql, sqlite, "
                          "duckdb, bigquery, snowflake)"));
  EXPECT_TRUE(has_problem(r, "sources.src.flavour", "unknown key 'flavour'"));
  EXPECT_EQ(r.problems.size(), 2U) << testing::describe(r);
}

TEST(SourceConfigTest, UnknownTypeSuggests) {
  EXPECT_TRUE(only_problem(load(source_doc("type: postgresql\n")), "sources.src.type",
                           "must be one of postgres, mysql, sqlite, duckdb, bigquery, snowflake, "
                           "got \"postgresql\"; did you mean 'postgres'?"));
  EXPECT_TRUE(
      only_problem(load(source_doc("type: oracle\n")), "sources.src.type", "got \"oracle\""));
}

TEST(SourceConfigTest, EchoedValuesAreEscapedAndCut) {
  EXPECT_TRUE(only_problem(load(source_doc("type: \"a\\\"b\\tc\\\\\"\n")), "sources.src.type",
                           "got \"a\\x22b\\x09c\\x5C\""));
  EXPECT_TRUE(only_problem(load(source_doc("type: " + std::string(50, 'x') + "\n")),
                           "sources.src.type", "got \"" + std::string(40, 'x') + "...\""));
}

TEST(SourceConfigTest, KeysOfOtherTypesDoNotApply) {
  const auto r = load(source_doc("type: sqlite\npath: /x.db\nhost: h\nproject: p\n"));
  EXPECT_TRUE(has_problem(r, "sources.src.host", "'host' does not apply to sqlite sources"));
  EXPECT_TRUE(has_problem(r, "sources.src.project", "'project' does not apply to sqlite sources"));
  EXPECT_EQ(r.problems.size(), 2U) << testing::describe(r);
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "path: /x.db")),
                           "sources.src.path", "'path' does not apply to postgres sources"));
}

TEST(SourceConfigTest, UnknownKeySuggestsCloseKey) {
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "hots: x")), "sources.src.hots",
                           "unknown key 'hots'; did you mean 'host'?"));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "timeout: 5")),
                           "sources.src.timeout", "did you mean 'timeout_ms'?"));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "zzzzzz: 1")),
                           "sources.src.zzzzzz", "unknown key 'zzzzzz'"));
  // A key of another source type is suggested when nothing of this type is close.
  EXPECT_TRUE(only_problem(load(source_doc("type: sqlite\npath: /x.db\nacount: a\n")),
                           "sources.src.acount", "did you mean 'account'?"));
}

TEST(SourceConfigTest, DuplicateKey) {
  const auto r = load(source_doc("type: sqlite\npath: /a.db\npath: /b.db\n"));
  ASSERT_TRUE(only_problem(r, "sources.src.path", "duplicate key 'path'"));
}

TEST(SourceConfigTest, FilePathsResolveAgainstConfigFolder) {
  const auto r =
      load(source_doc("type: sqlite\npath: data/wh.db\n"), {}, "/etc/fg/freshguard.yaml");
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(source_of(r).path, "/etc/fg/data/wh.db");
  const auto up = load(source_doc("type: duckdb\npath: ../wh.duckdb\n"), {}, "/srv/fg/fg.yaml");
  ASSERT_TRUE(loads(up));
  EXPECT_EQ(source_of(up).path, "/srv/wh.duckdb");
  const auto absolute = load(source_doc("type: sqlite\npath: /srv/wh.db\n"), {}, "/etc/fg/x.yaml");
  ASSERT_TRUE(loads(absolute));
  EXPECT_EQ(source_of(absolute).path, "/srv/wh.db");
  const auto relative_file = load(source_doc("type: sqlite\npath: wh.db\n"), {}, "fg.yaml");
  ASSERT_TRUE(loads(relative_file));
  EXPECT_EQ(source_of(relative_file).path, "wh.db");
}

TEST(SourceConfigTest, FilePathsKeptWhenLoadedFromString) {
  const auto r = load(source_doc("type: sqlite\npath: data/wh.db\n"));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(source_of(r).path, "data/wh.db");
  EXPECT_EQ(source_of(r).type, SourceType::kSqlite);
}

TEST(SourceConfigTest, MemoryPathOnlyForDuckdb) {
  const auto duck = load(source_doc("type: duckdb\npath: \":memory:\"\n"), {}, "/etc/fg/x.yaml");
  ASSERT_TRUE(loads(duck));
  EXPECT_EQ(source_of(duck).path, ":memory:");
  EXPECT_EQ(source_of(duck).type, SourceType::kDuckdb);
  EXPECT_TRUE(only_problem(load(source_doc("type: sqlite\npath: \":memory:\"\n")),
                           "sources.src.path", "':memory:' is only allowed for duckdb sources"));
  EXPECT_TRUE(only_problem(load(source_doc("type: sqlite\n")), "sources.src.path", "is required"));
}

TEST(SourceConfigTest, Bigquery) {
  const auto r =
      load(source_doc("type: bigquery\nproject: my-project-1\ndataset: analytics\nlocation: EU\n"
                      "credentials_file: /keys/sa.json\nendpoint: http://127.0.0.1:9050\n"));
  ASSERT_TRUE(loads(r));
  const auto& s = source_of(r);
  EXPECT_EQ(s.type, SourceType::kBigquery);
  EXPECT_EQ(s.project, "my-project-1");
  EXPECT_EQ(s.dataset, "analytics");
  EXPECT_EQ(s.location, "EU");
  EXPECT_EQ(s.credentials_file, "/keys/sa.json");
  EXPECT_EQ(s.endpoint, "http://127.0.0.1:9050");
}

TEST(SourceConfigTest, BigqueryProjectRules) {
  const std::string tail = "\ndataset: d\n";
  EXPECT_TRUE(loads(load(source_doc("type: bigquery\nproject: abcdef" + tail))));
  EXPECT_TRUE(
      loads(load(source_doc("type: bigquery\nproject: a23456789012345678901234567890" + tail))));
  for (const auto* bad :
       {"abcde", "a234567890123456789012345678901", "1abcdef", "my_project", "\"my project\""}) {
    EXPECT_TRUE(only_problem(
        load(source_doc("type: bigquery\nproject: " + std::string(bad) + tail)),
        "sources.src.project", "must be 6-30 letters, digits or hyphens, starting with a letter"))
        << bad;
  }
}

TEST(SourceConfigTest, BigqueryRequiredAndHostileDataset) {
  const auto missing = load(source_doc("type: bigquery\n"));
  EXPECT_TRUE(has_problem(missing, "sources.src.project", "is required"));
  EXPECT_TRUE(has_problem(missing, "sources.src.dataset", "is required"));
  const auto r = load(source_doc("type: bigquery\nproject: my-project\ndataset: \"d`; DROP x\"\n"));
  ASSERT_TRUE(only_problem(r, "sources.src.dataset", "SECURITY_VIOLATION: invalid dataset name"));
  EXPECT_TRUE(r.problems[0].security);
}

TEST(SourceConfigTest, EndpointMustBeHttp) {
  EXPECT_TRUE(only_problem(load(source_doc("type: bigquery\nproject: my-project\ndataset: d\n"
                                           "endpoint: ftp://x\n")),
                           "sources.src.endpoint", "must start with http:// or https://"));
  EXPECT_TRUE(only_problem(load(source_doc("type: bigquery\nproject: my-project\ndataset: d\n"
                                           "endpoint: \"https://\"\n")),
                           "sources.src.endpoint", "must start with http:// or https://"));
}

TEST(SourceConfigTest, Snowflake) {
  const auto r = load(source_doc(
      "type: snowflake\naccount: myorg-acct.eu_1\nusername: FG\nprivate_key_file: /k.p8\n"
      "warehouse: WH\nrole: READER\ndatabase: DB\nschema: PUBLIC\n"
      "endpoint: https://localhost:8443\n"));
  ASSERT_TRUE(loads(r));
  const auto& s = source_of(r);
  EXPECT_EQ(s.type, SourceType::kSnowflake);
  EXPECT_EQ(s.account, "myorg-acct.eu_1");
  EXPECT_EQ(s.username, "FG");
  EXPECT_EQ(s.private_key_file, "/k.p8");
  EXPECT_EQ(s.warehouse, "WH");
  EXPECT_EQ(s.role, "READER");
  EXPECT_EQ(s.database, "DB");
  EXPECT_EQ(s.schema, "PUBLIC");
  EXPECT_EQ(s.endpoint, "https://localhost:8443");
}

TEST(SourceConfigTest, SnowflakeErrors) {
  const auto missing = load(source_doc("type: snowflake\nhost: h\n"));
  EXPECT_TRUE(has_problem(missing, "sources.src.account", "is required"));
  EXPECT_TRUE(has_problem(missing, "sources.src.username", "is required"));
  EXPECT_TRUE(has_problem(missing, "sources.src.private_key_file", "is required"));
  EXPECT_TRUE(has_problem(missing, "sources.src.database", "is required"));
  EXPECT_TRUE(has_problem(missing, "sources.src.host", "'host' does not apply to snowflake"));
  EXPECT_EQ(missing.problems.size(), 5U) << testing::describe(missing);
  EXPECT_TRUE(only_problem(load(source_doc("type: snowflake\naccount: evil.com/x\nusername: u\n"
                                           "private_key_file: k\ndatabase: d\n")),
                           "sources.src.account", "must contain only letters, digits"));
}

TEST(SourceConfigTest, SnowflakeCredentialsAreOneOfKeyOrOAuthToken) {
  const auto oauth = load(source_doc(
      "type: snowflake\naccount: xy12345.eu-north-1.aws\nusername: fg\ndatabase: analytics\n"
      "oauth_token_file: /run/secrets/sf-token\nmax_scan_mb: 64\nendpoint: \"\"\n"
      "ssl_root_cert: /etc/ca.pem\n"));
  ASSERT_TRUE(loads(oauth)) << testing::describe(oauth);
  EXPECT_EQ(source_of(oauth).oauth_token_file, "/run/secrets/sf-token");
  EXPECT_EQ(source_of(oauth).private_key_file, "");
  EXPECT_EQ(source_of(oauth).max_scan_mb, 64);
  EXPECT_EQ(source_of(oauth).endpoint, "");  // empty: the account's default endpoint
  EXPECT_EQ(source_of(oauth).ssl_root_cert, "/etc/ca.pem");
  EXPECT_TRUE(only_problem(load(source_doc("type: snowflake\naccount: a\nusername: u\ndatabase: d\n"
                                           "private_key_file: /k.p8\noauth_token_file: /t\n")),
                           "sources.src.oauth_token_file", "set only one of private_key_file"));
}

TEST(SourceConfigTest, SourcesSectionShape) {
  EXPECT_TRUE(only_problem(load(std::string(testing::kValidRule)), "sources",
                           "at least one source is required"));
  EXPECT_TRUE(has_problem(load("sources: {}\n" + std::string(testing::kValidRule)), "sources",
                          "at least one source is required"));
  EXPECT_TRUE(has_problem(load("sources: ~\n" + std::string(testing::kValidRule)), "sources",
                          "at least one source is required"));
  EXPECT_TRUE(has_problem(load("sources: [a]\n" + std::string(testing::kValidRule)), "sources",
                          "must be a map from source name to its settings, got a list"));
  EXPECT_TRUE(has_problem(load("sources:\n  src: sqlite\n" + std::string(testing::kValidRule)),
                          "sources.src", "must be a map of settings (with type:), got \"sqlite\""));
  EXPECT_TRUE(has_problem(load("sources:\n  \"my source\": {type: sqlite, path: /x}\n" +
                               std::string(testing::kValidRule)),
                          "sources.my source",
                          "source names must be 1-128 letters, digits, '_', '.' or '-'"));
}

TEST(SourceTypeTest, NamesRoundTrip) {
  for (auto t : {SourceType::kPostgres, SourceType::kMysql, SourceType::kSqlite,
                 SourceType::kDuckdb, SourceType::kBigquery, SourceType::kSnowflake}) {
    EXPECT_EQ(parse_source_type(to_string(t)), t);
  }
  EXPECT_EQ(to_string(SourceType::kPostgres), "postgres");
  EXPECT_EQ(to_string(SourceType::kSnowflake), "snowflake");
  EXPECT_EQ(parse_source_type("Postgres"), std::nullopt);
  EXPECT_EQ(parse_source_type(""), std::nullopt);
}

TEST(SslModeTest, Names) {
  EXPECT_EQ(to_string(SslMode::kDisable), "disable");
  EXPECT_EQ(to_string(SslMode::kRequire), "require");
  EXPECT_EQ(to_string(SslMode::kVerifyCa), "verify-ca");
  EXPECT_EQ(to_string(SslMode::kVerifyFull), "verify-full");
}

}  // namespace
}  // namespace freshguard::config
