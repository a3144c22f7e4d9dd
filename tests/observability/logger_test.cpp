#include <chrono>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/observability/logger.hpp>

namespace freshguard::obs {
namespace {

using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

/// A logger writing to a string stream.
struct Captured {
  explicit Captured(LogLevel level, LogFormat format = LogFormat::kJson)
      : logger(level, format, std::make_shared<Redactor>(), out) {}
  std::vector<std::string> lines() const { return lines_of(out.str()); }
  json only_json() const {
    const auto all = lines();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? json() : json::parse(all.front());
  }
  std::ostringstream out;
  Logger logger;
};

LogEvent full_event() {
  LogEvent e;
  e.level = LogLevel::kInfo;
  e.component = "monitor.freshness";
  e.action = "check.finished";
  e.source = "warehouse";
  e.table = "orders";
  e.duration_ms = 12.5;
  e.error = "TIMEOUT";
  e.message = "check took too long";
  e.fields = {{"rows", "42"}, {"lag", "5m"}};
  return e;
}

TEST(LogLevelTest, ToStringAndParse) {
  for (const auto level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                           LogLevel::kError, LogLevel::kOff}) {
    EXPECT_EQ(parse_log_level(to_string(level)), level);
  }
  EXPECT_EQ(to_string(LogLevel::kWarn), "warn");
  EXPECT_EQ(parse_log_level("warning"), LogLevel::kWarn);
  EXPECT_EQ(parse_log_level("INFO"), LogLevel::kInfo);
  EXPECT_EQ(parse_log_level("Error"), LogLevel::kError);
  EXPECT_EQ(parse_log_level(""), std::nullopt);
  EXPECT_EQ(parse_log_level("verbose"), std::nullopt);
  EXPECT_EQ(parse_log_level("info "), std::nullopt);
}

TEST(LogFormatTest, Parse) {
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(parse_log_format("TEXT"), LogFormat::kText);
  EXPECT_EQ(parse_log_format("yaml"), std::nullopt);
  EXPECT_EQ(parse_log_format(""), std::nullopt);
}

TEST(LoggerTest, JsonLineHasFieldsInOrder) {
  Captured c(LogLevel::kInfo);
  c.logger.log(full_event());
  const std::string text = c.out.str();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const json j = c.only_json();
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["component"], "monitor.freshness");
  EXPECT_EQ(j["action"], "check.finished");
  EXPECT_EQ(j["source"], "warehouse");
  EXPECT_EQ(j["table"], "orders");
  ASSERT_TRUE(j["duration_ms"].is_number());
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 12.5);
  EXPECT_EQ(j["error"], "TIMEOUT");
  EXPECT_EQ(j["message"], "check took too long");
  EXPECT_EQ(j["rows"], "42");
  EXPECT_EQ(j["lag"], "5m");

  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(lines_of(text).front());
  std::vector<std::string> keys;
  for (const auto& item : ordered.items())
    keys.push_back(item.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"timestamp", "level", "component", "action", "source",
                                      "table", "duration_ms", "error", "message", "rows", "lag"}));
}

TEST(LoggerTest, TimestampIsIsoUtcWithMillisecondsAndNow) {
  Captured c(LogLevel::kInfo);
  const WallTime before = SystemClock::instance().wall_now();
  c.logger.log(full_event());
  const WallTime after = SystemClock::instance().wall_now();
  const std::string ts = c.only_json()["timestamp"].get<std::string>();
  EXPECT_TRUE(std::regex_match(ts, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
      << ts;
  const auto parsed = parse_timestamp(ts, TimeZone::utc());
  ASSERT_TRUE(parsed.has_value()) << ts;
  EXPECT_GE(*parsed, std::chrono::floor<std::chrono::milliseconds>(before));
  EXPECT_LE(*parsed, after);
}

TEST(LoggerTest, OptionalFieldsAreOmitted) {
  Captured c(LogLevel::kTrace);
  LogEvent e;
  e.level = LogLevel::kDebug;
  e.component = "cli";
  e.action = "start";
  c.logger.log(e);
  const json j = c.only_json();
  EXPECT_EQ(j.size(), 4u);
  EXPECT_EQ(j["level"], "debug");
  for (const char* key : {"source", "table", "duration_ms", "error", "message"}) {
    EXPECT_FALSE(j.contains(key)) << key;
  }
}

TEST(LoggerTest, RedactsEveryStringAndSecretFields) {
  Captured c(LogLevel::kInfo);
  c.logger.redactor().add_secret("s3cr3t-pass");
  LogEvent e;
  e.component = "connector.postgres";
  e.action = "connect";
  e.source = "postgres://app:s3cr3t-pass@db/app";
  e.table = "s3cr3t-pass";
  e.error = "auth failed for password=hunter2";
  e.message = "using Bearer abc.def";
  e.fields = {{"db_password", "anything at all"},
              {"API-KEY", "k"},
              {"dsn", "mysql://u:pw@h"},
              {"note", "s3cr3t-pass"}};
  c.logger.log(e);
  const std::string text = c.out.str();
  EXPECT_EQ(text.find("s3cr3t-pass"), std::string::npos);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("abc.def"), std::string::npos);
  EXPECT_EQ(text.find("anything"), std::string::npos);
  const json j = c.only_json();
  EXPECT_EQ(j["source"], "postgres://app:[REDACTED]@db/app");
  EXPECT_EQ(j["table"], "[REDACTED]");
  EXPECT_EQ(j["error"], "auth failed for password=[REDACTED]");
  EXPECT_EQ(j["message"], "using Bearer [REDACTED]");
  EXPECT_EQ(j["db_password"], "[REDACTED]");
  EXPECT_EQ(j["API-KEY"], "[REDACTED]");
  EXPECT_EQ(j["dsn"], "mysql://u:[REDACTED]@h");
  EXPECT_EQ(j["note"], "[REDACTED]");
}

TEST(LoggerTest, SharedRedactorSeesSecretsAddedLater) {
  auto redactor = std::make_shared<Redactor>();
  std::ostringstream out;
  Logger logger(LogLevel::kInfo, LogFormat::kJson, redactor, out);
  EXPECT_EQ(&logger.redactor(), redactor.get());
  redactor->add_secret("late-secret");
  LogEvent e;
  e.message = "value late-secret";
  logger.log(e);
  EXPECT_EQ(json::parse(out.str())["message"], "value [REDACTED]");
}

TEST(LoggerTest, NullRedactorGetsItsOwn) {
  std::ostringstream out;
  Logger logger(LogLevel::kInfo, LogFormat::kJson, nullptr, out);
  logger.redactor().add_secret("abcd1234");
  LogEvent e;
  e.message = "abcd1234";
  logger.log(e);
  EXPECT_EQ(json::parse(out.str())["message"], "[REDACTED]");
}

TEST(LoggerTest, ExtraFieldsDoNotOverwriteFixedOnes) {
  Captured c(LogLevel::kInfo);
  LogEvent e;
  e.level = LogLevel::kError;
  e.component = "cli";
  e.fields = {{"level", "fake"}, {"message", "fake too"}};
  c.logger.log(e);
  const json j = c.only_json();
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["extra.level"], "fake");
  EXPECT_EQ(j["extra.message"], "fake too");
  EXPECT_FALSE(j.contains("message"));
}

TEST(LoggerTest, EscapesAndReplacesInvalidUtf8) {
  Captured c(LogLevel::kInfo);
  LogEvent e;
  e.message = "quote \" backslash \\ newline \n tab \t bad \xff\xfe end {}";
  e.fields = {{"bad\xc3", "x"}};
  c.logger.log(e);
  const auto lines = c.lines();
  ASSERT_EQ(lines.size(), 1u);
  const json j = json::parse(lines.front());
  EXPECT_EQ(j["message"],
            "quote \" backslash \\ newline \n tab \t bad \xEF\xBF\xBD\xEF\xBF\xBD end {}");
  EXPECT_EQ(j["bad\xEF\xBF\xBD"], "x");
}

TEST(LoggerTest, FiltersByLevel) {
  Captured c(LogLevel::kWarn);
  EXPECT_FALSE(c.logger.enabled(LogLevel::kTrace));
  EXPECT_FALSE(c.logger.enabled(LogLevel::kDebug));
  EXPECT_FALSE(c.logger.enabled(LogLevel::kInfo));
  EXPECT_TRUE(c.logger.enabled(LogLevel::kWarn));
  EXPECT_TRUE(c.logger.enabled(LogLevel::kError));
  EXPECT_FALSE(c.logger.enabled(LogLevel::kOff));
  for (const auto level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                           LogLevel::kError, LogLevel::kOff}) {
    LogEvent e;
    e.level = level;
    e.action = std::string(to_string(level));
    c.logger.log(e);
  }
  const auto lines = c.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0])["level"], "warn");
  EXPECT_EQ(json::parse(lines[1])["level"], "error");
}

TEST(LoggerTest, OffLogsNothing) {
  Captured c(LogLevel::kOff);
  for (const auto level : {LogLevel::kTrace, LogLevel::kInfo, LogLevel::kError, LogLevel::kOff}) {
    EXPECT_FALSE(c.logger.enabled(level));
    LogEvent e;
    e.level = level;
    c.logger.log(e);
  }
  EXPECT_TRUE(c.out.str().empty());
}

TEST(LoggerTest, TextFormatIsOneReadableLine) {
  Captured c(LogLevel::kInfo, LogFormat::kText);
  c.logger.log(full_event());
  const auto lines = c.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines.front();
  const std::regex shape(R"((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*))");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, shape)) << line;
  EXPECT_EQ(m[2].str(),
            "INFO  monitor.freshness check.finished source=warehouse table=orders "
            "duration_ms=12.5 error=TIMEOUT rows=42 lag=5m check took too long");
}

TEST(LoggerTest, TextFormatQuotesEscapesAndRedacts) {
  Captured c(LogLevel::kTrace, LogFormat::kText);
  LogEvent e;
  e.level = LogLevel::kError;
  e.component = "cli";
  e.error = "bad \"thing\"";
  e.message = "line one\nline two\r\t\x01 password=hunter2";
  e.fields = {{"empty", ""}, {"path", "a\\b c"}, {"token", "abc"}, {"ctl", "x\x7fy"}};
  c.logger.log(e);
  const auto lines = c.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines.front();
  EXPECT_NE(
      line.find(" ERROR cli error=\"bad \\\"thing\\\"\" empty=\"\" path=\"a\\\\b c\" "
                "token=[REDACTED] ctl=x\\x7fy line one\\nline two\\r\\t\\x01 password=[REDACTED]"),
      std::string::npos)
      << line;
  EXPECT_EQ(line.find("hunter2"), std::string::npos);
}

// Names from a database reach the logs: no terminal control may pass raw in either format.
TEST(LoggerTest, NoTerminalControlPassesRawInTextOrJson) {
  const std::string hostile =
      "\x1b]0;pwned\x07 \x1b[2J \xc2\x9b"
      "31m \x9b \x7f \xe2\x80\xae";
  for (const auto format : {LogFormat::kText, LogFormat::kJson}) {
    Captured c(LogLevel::kInfo, format);
    LogEvent e;
    e.table = hostile;
    e.message = hostile;
    e.fields = {{"column", hostile}};
    c.logger.log(e);
    const std::string out = c.out.str();
    for (const std::string_view raw : {"\x1b", "\x07", "\x7f", "\xc2\x9b", "\xe2\x80\xae"})
      EXPECT_EQ(out.find(raw), std::string::npos) << out;
    EXPECT_EQ(out.find('\x9b'), std::string::npos) << out;  // nor a raw 8-bit CSI
    if (format == LogFormat::kText) {
      EXPECT_NE(out.find(R"(\x1b]0;pwned\x07 \x1b[2J \u009b31m \x9b \x7f \u202e)"),
                std::string::npos)
          << out;
    } else {
      const auto j = json::parse(out);
      EXPECT_EQ(j["column"],
                "\x1b]0;pwned\x07 \x1b[2J \xc2\x9b"
                "31m \xef\xbf\xbd \x7f \xe2\x80\xae");
    }
  }
}

TEST(LoggerTest, TextFormatLevelNames) {
  Captured c(LogLevel::kTrace, LogFormat::kText);
  for (const auto level :
       {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    LogEvent e;
    e.level = level;
    e.action = "a";
    c.logger.log(e);
  }
  const auto lines = c.lines();
  ASSERT_EQ(lines.size(), 5u);
  const char* expected[] = {" TRACE a", " DEBUG a", " INFO  a", " WARN  a", " ERROR a"};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].substr(24), expected[i]) << lines[i];
  }
}

TEST(LoggerTest, StderrLoggerWritesToStderr) {
  testing::internal::CaptureStderr();
  {
    Logger logger(LogLevel::kInfo, LogFormat::kJson, std::make_shared<Redactor>());
    LogEvent e;
    e.action = "to.stderr";
    e.message = "password=hunter2";
    logger.log(e);
  }
  const std::string err = testing::internal::GetCapturedStderr();
  const auto lines = lines_of(err);
  ASSERT_EQ(lines.size(), 1u) << err;
  const json j = json::parse(lines.front());
  EXPECT_EQ(j["action"], "to.stderr");
  EXPECT_EQ(j["message"], "password=[REDACTED]");
}

/// Restores the default process-wide logger when a test ends.
struct RestoreDefaultLogger {
  ~RestoreDefaultLogger() { set_logger(nullptr); }
};

TEST(GlobalLoggerTest, DefaultIsWarnJsonToStderr) {
  RestoreDefaultLogger restore;
  set_logger(nullptr);
  Logger& l = logger();
  EXPECT_FALSE(l.enabled(LogLevel::kInfo));
  EXPECT_TRUE(l.enabled(LogLevel::kWarn));
  testing::internal::CaptureStderr();
  LogEvent e;
  e.level = LogLevel::kWarn;
  e.action = "default";
  logger().log(e);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(json::parse(err)["action"], "default");
  EXPECT_EQ(&logger(), &l);
}

TEST(GlobalLoggerTest, SetLoggerReplacesAndKeepsOldReferencesValid) {
  RestoreDefaultLogger restore;
  Logger& before = logger();
  std::ostringstream out;
  set_logger(std::make_unique<Logger>(LogLevel::kDebug, LogFormat::kText,
                                      std::make_shared<Redactor>(), out));
  EXPECT_NE(&logger(), &before);
  EXPECT_TRUE(logger().enabled(LogLevel::kDebug));
  LogEvent e;
  e.level = LogLevel::kDebug;
  e.action = "replaced";
  logger().log(e);
  EXPECT_NE(out.str().find(" DEBUG replaced"), std::string::npos) << out.str();
  // The replaced logger is still alive.
  EXPECT_FALSE(before.enabled(LogLevel::kDebug));
}

TEST(GlobalLoggerTest, LoggerIsSafeToGetFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<Logger*> seen(8, nullptr);
  threads.reserve(seen.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &logger(); });
  }
  for (auto& t : threads)
    t.join();
  for (Logger* l : seen)
    EXPECT_EQ(l, &logger());
}

TEST(LoggerTest, ConcurrentLoggingKeepsLinesWhole) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  Captured c(LogLevel::kInfo);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 50 == 0) c.logger.redactor().add_secret("secret-" + std::to_string(t));
        LogEvent e;
        e.component = "worker";
        e.action = "tick";
        e.message = std::string(100, 'x') + " secret-" + std::to_string(t) + " password=pw";
        e.fields = {{"thread", std::to_string(t)}, {"i", std::to_string(i)}};
        c.logger.log(e);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  const auto lines = c.lines();
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::vector<int> per_thread(kThreads, 0);
  for (const auto& line : lines) {
    const json j = json::parse(line);  // throws (and fails the test) on a torn line
    EXPECT_EQ(j["component"], "worker");
    EXPECT_EQ(j["message"].get<std::string>().find("password=pw"), std::string::npos);
    ++per_thread[static_cast<std::size_t>(std::stoi(j["thread"].get<std::string>()))];
  }
  for (int n : per_thread)
    EXPECT_EQ(n, kPerThread);
}

}  // namespace
}  // namespace freshguard::obs
