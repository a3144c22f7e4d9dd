#include "config/env_interpolation.hpp"

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

using detail::interpolate;
using testing::env_of;
using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::source_doc;

const EnvLookup& test_env() {
  static const EnvLookup env =
      env_of({{"HOST", "db.internal"}, {"EMPTY", ""}, {"A", "1"}, {"B", "2"}});
  return env;
}

TEST(InterpolateTest, PlainTextIsUnchanged) {
  const auto r = interpolate("no variables here", test_env());
  EXPECT_EQ(r.value, "no variables here");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.used_variables);
  EXPECT_EQ(interpolate("", test_env()).value, "");
}

TEST(InterpolateTest, SetVariables) {
  const auto r = interpolate("postgres://${HOST}:5432/${A}${B}", test_env());
  EXPECT_EQ(r.value, "postgres://db.internal:5432/12");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.used_variables);
  EXPECT_EQ(interpolate("${EMPTY}", test_env()).value, "");
}

TEST(InterpolateTest, Defaults) {
  EXPECT_EQ(interpolate("${NOPE:-fallback}", test_env()).value, "fallback");
  EXPECT_EQ(interpolate("${HOST:-fallback}", test_env()).value, "db.internal");
  EXPECT_EQ(interpolate("${EMPTY:-used when empty}", test_env()).value, "used when empty");
  EXPECT_EQ(interpolate("${NOPE:-}", test_env()).value, "");
  EXPECT_EQ(interpolate("${NOPE:-a:-b}", test_env()).value, "a:-b");
  EXPECT_TRUE(interpolate("${NOPE:-x}", test_env()).errors.empty());
}

TEST(InterpolateTest, DollarEscapes) {
  EXPECT_EQ(interpolate("$$", test_env()).value, "$");
  EXPECT_EQ(interpolate("$${HOST}", test_env()).value, "${HOST}");
  EXPECT_EQ(interpolate("pa$$word", test_env()).value, "pa$word");
  EXPECT_EQ(interpolate("$$$$", test_env()).value, "$$");
  EXPECT_FALSE(interpolate("$${HOST}", test_env()).used_variables);
  // A `$` not followed by `$` or `{` is kept as is.
  EXPECT_EQ(interpolate("pa$word$", test_env()).value, "pa$word$");
  EXPECT_EQ(interpolate("$", test_env()).value, "$");
}

TEST(InterpolateTest, UnsetVariable) {
  const auto r = interpolate("${NOPE}-${ALSO_NOPE}-${HOST}", test_env());
  ASSERT_EQ(r.errors.size(), 2U);
  EXPECT_EQ(r.errors[0], "environment variable NOPE is not set");
  EXPECT_EQ(r.errors[1], "environment variable ALSO_NOPE is not set");
}

TEST(InterpolateTest, NullLookupMeansNothingIsSet) {
  const auto r = interpolate("${HOST}", EnvLookup{});
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(interpolate("${HOST:-x}", EnvLookup{}).value, "x");
}

TEST(InterpolateTest, Malformed) {
  const auto unterminated = interpolate("secret${HOST", test_env());
  ASSERT_EQ(unterminated.errors.size(), 1U);
  EXPECT_NE(unterminated.errors[0].find("unterminated \"${\" at position 7"), std::string::npos);
  EXPECT_EQ(unterminated.errors[0].find("secret"), std::string::npos);
  for (const auto* text : {"${}", "${1ABC}", "${A B}", "${A-b}", "${A:b}", "${:-x}"}) {
    const auto r = interpolate(text, test_env());
    ASSERT_EQ(r.errors.size(), 1U) << text;
    EXPECT_NE(r.errors[0].find("invalid variable reference at position 1"), std::string::npos)
        << text;
  }
  const auto nested = interpolate("x${A:-${B}}", test_env());
  ASSERT_EQ(nested.errors.size(), 1U);
  EXPECT_NE(nested.errors[0].find("nested variable reference at position 2"), std::string::npos);
}

TEST(InterpolateTest, VariableNames) {
  EXPECT_TRUE(detail::is_variable_name("A"));
  EXPECT_TRUE(detail::is_variable_name("_a1"));
  EXPECT_FALSE(detail::is_variable_name(""));
  EXPECT_FALSE(detail::is_variable_name("1A"));
  EXPECT_FALSE(detail::is_variable_name("A-B"));
}

TEST(ProcessEnvTest, ReadsTheProcessEnvironment) {
  const auto env = process_env();
  EXPECT_TRUE(env("PATH").has_value());
  EXPECT_FALSE(env("FRESHGUARD_TEST_SURELY_UNSET_VARIABLE_42").has_value());
}

constexpr std::string_view kServer =
    "type: postgres\nhost: ${PG_HOST:-localhost}\nport: ${PG_PORT:-5432}\ndatabase: app\n"
    "username: ${PG_USER}\npassword: ${DB_PASSWORD}\n";

TEST(ConfigInterpolationTest, ValuesComeFromTheEnvironment) {
  const auto r = load(source_doc(kServer),
                      {{"PG_USER", "fg"}, {"DB_PASSWORD", "pa$$w0rd!x"}, {"PG_PORT", "6000"}});
  ASSERT_TRUE(loads(r));
  const auto& s = r.config->sources.at("src");
  EXPECT_EQ(s.host, "localhost");
  EXPECT_EQ(s.port, 6000);
  EXPECT_EQ(s.username, "fg");
  // Values from the environment are not interpolated again.
  EXPECT_EQ(s.password, "pa$$w0rd!x");
}

TEST(ConfigInterpolationTest, UnsetVariableIsAProblemAtItsPath) {
  const auto r = load("sources:\n  warehouse:\n" + testing::indent(kServer, 4) +
                          "rules:\n  - {id: r, source: warehouse, table: t, type: freshness, "
                          "timestamp_column: ts}\n",
                      {{"PG_USER", "fg"}});
  EXPECT_TRUE(
      only_problem(r, "sources.warehouse.password", "environment variable DB_PASSWORD is not set"));
  EXPECT_EQ(r.problems[0].to_string(),
            "sources.warehouse.password: environment variable DB_PASSWORD is not set");
}

TEST(ConfigInterpolationTest, DoubleDollarAndMalformedInYaml) {
  const auto r =
      load(source_doc("type: postgres\nhost: h\ndatabase: d\nusername: u\n"
                      "password: \"pa$$word-long\"\n"));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->sources.at("src").password, "pa$word-long");
  const auto bad =
      load(source_doc("type: postgres\nhost: h\ndatabase: d\nusername: u\n"
                      "password: \"abc${DEF-long\"\n"));
  ASSERT_TRUE(only_problem(bad, "sources.src.password", "unterminated \"${\" at position 4"));
  EXPECT_EQ(bad.problems[0].message.find("abc"), std::string::npos);
}

TEST(ConfigInterpolationTest, InterpolatesEveryStringSetting) {
  const auto r = load(
      "sources:\n  src: {type: '${T}', path: '${DIR}/wh.db'}\n"
      "rules:\n  - {id: '${ID}', source: src, table: '${TABLE}', type: freshness,"
      " timestamp_column: ts, tolerance_minutes: '${TOL}'}\n"
      "logging: {level: '${LEVEL:-debug}'}\n",
      {{"T", "sqlite"}, {"DIR", "/data"}, {"ID", "orders"}, {"TABLE", "s.orders"}, {"TOL", "15"}});
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->sources.at("src").path, "/data/wh.db");
  EXPECT_EQ(r.config->rules[0].id, "orders");
  EXPECT_EQ(r.config->rules[0].table, "s.orders");
  EXPECT_EQ(r.config->rules[0].freshness.tolerance, std::chrono::minutes(15));
  EXPECT_EQ(r.config->logging.level, "debug");
}

TEST(ConfigInterpolationTest, EnumFromEnvironmentIsNotEchoed) {
  const auto r = load(testing::doc_with("logging: {level: '${LEVEL}'}\n"), {{"LEVEL", "hunter2"}});
  ASSERT_TRUE(only_problem(r, "logging.level", "got the value of \"${LEVEL}\""));
  EXPECT_EQ(r.problems[0].message.find("hunter2"), std::string::npos);
}

TEST(ConfigInterpolationTest, SeveralUnsetVariablesInOneValue) {
  const auto r = load(source_doc("type: sqlite\npath: '${A_DIR}/${A_FILE}'\n"));
  EXPECT_TRUE(has_problem(r, "sources.src.path", "environment variable A_DIR is not set"));
  EXPECT_TRUE(has_problem(r, "sources.src.path", "environment variable A_FILE is not set"));
  EXPECT_EQ(r.problems.size(), 2U) << testing::describe(r);
}

}  // namespace
}  // namespace freshguard::config
