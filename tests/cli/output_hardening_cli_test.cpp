// Hardening of what the binary reads and prints, through the real binary: names from a
// database cannot drive the terminal, a config path that is not a regular file is refused
// without blocking (check, validate and serve's SIGHUP reload), and alias bombs and
// oversized rule lists are refused quickly with a `path: message` problem.

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/run_process.hpp"
#include "support/serve_process.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::ProcessResult;
using testing::ServeProcess;

constexpr int kExitConfig = 78;

// `freshguard <args>` in `dir`, killed after `limit_seconds` (exit code 137 then), so a
// regression that blocks fails the test instead of hanging it.
ProcessResult run_bounded(const std::vector<std::string>& args, const std::filesystem::path& dir,
                          int limit_seconds = 30, const std::vector<std::string>& env = {}) {
  testing::TempDir io;
  std::string cmd = "cd " + testing::shell_quote(dir.string()) + " && env";
  for (const auto& e : env)
    cmd += " " + testing::shell_quote(e);
  cmd += " timeout -s KILL " + std::to_string(limit_seconds) + " " +
         testing::shell_quote(FRESHGUARD_BIN);
  for (const auto& a : args)
    cmd += " " + testing::shell_quote(a);
  cmd += " >" + testing::shell_quote((io / "out").string()) + " 2>" +
         testing::shell_quote((io / "err").string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = testing::slurp(io / "out");
  r.err = testing::slurp(io / "err");
  return r;
}

// The first byte of `text` that could drive a terminal: a C0 control (newline excepted), DEL,
// a UTF-8 encoded C1 control, or a byte outside a valid UTF-8 sequence (a raw 8-bit C1
// control among them); npos when there is none.
std::size_t find_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x80) {
      if ((u < 0x20 && u != '\n') || u == 0x7f) return i;
      ++i;
      continue;
    }
    const std::size_t length = u >= 0xc2 && u <= 0xdf   ? 2
                               : u >= 0xe0 && u <= 0xef ? 3
                               : u >= 0xf0 && u <= 0xf4 ? 4
                                                        : 0;
    if (length == 0 || i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return i;
    }
    if (u == 0xc2 && static_cast<unsigned char>(text[i + 1]) <= 0x9f) return i;  // C1
    i += length;
  }
  return std::string_view::npos;
}

class OutputHardeningTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

// Column names come from the catalog, so a hostile table owner controls them; the
// schema_change result lists them in the table, the text logs and the JSON.
TEST_F(OutputHardeningTest, CatalogNamesWithTerminalEscapesAreShownEscaped) {
  testing::sqlite_exec(dir_ / "w.db", "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT);");
  dir_.write("freshguard.yaml", R"yaml(
sources:
  wh: {type: sqlite, path: w.db}
rules:
  - {id: cols, source: wh, table: events, type: schema_change, adaptation_mode: alert_only}
logging: {level: warn}
)yaml");
  ASSERT_EQ(run_bounded({"check"}, dir_.path()).exit_code, 0);
  testing::sqlite_exec(dir_ / "w.db",
                       "ALTER TABLE events ADD COLUMN \"\x1b]0;pwned\x07\" TEXT;"
                       "ALTER TABLE events ADD COLUMN \"\x1b[2J\" TEXT;"
                       "ALTER TABLE events ADD COLUMN \"c1\xc2\x9bz\" TEXT;"
                       "ALTER TABLE events ADD COLUMN \"raw\x9b\" TEXT;");

  const auto table =
      run_bounded({"check", "--log-format", "text", "--log-level", "info"}, dir_.path());
  EXPECT_EQ(table.exit_code, 1) << table.out << table.err;
  EXPECT_EQ(find_control(table.out), std::string::npos) << table.out;
  EXPECT_EQ(find_control(table.err), std::string::npos) << table.err;
  for (const std::string_view shown :
       {R"(\x1b]0;pwned\x07)", R"(\x1b[2J)", R"(c1\u009bz)", R"(raw\x9b)"}) {
    EXPECT_NE(table.out.find(shown), std::string::npos) << shown << "\n" << table.out;
    EXPECT_NE(table.err.find(shown), std::string::npos) << shown << "\n" << table.err;
  }

  // Next run: the schema is the baseline again, so make a new change to report.
  testing::sqlite_exec(dir_ / "w.db", "ALTER TABLE events ADD COLUMN \"\x1b]2;again\x07\" TEXT;");
  const auto json = run_bounded(
      {"check", "--format", "json", "--log-format", "json", "--log-level", "info"}, dir_.path());
  EXPECT_EQ(json.exit_code, 1) << json.out << json.err;
  EXPECT_EQ(find_control(json.out), std::string::npos) << json.out;
  EXPECT_EQ(find_control(json.err), std::string::npos) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["results"][0]["schema_changes"][0]["column"], "\x1b]2;again\x07");
  std::istringstream lines(json.err);
  int events = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto event = nlohmann::json::parse(line);  // every line is one JSON object
    if (event.value("action", "") == "check.finished") {
      ++events;
      EXPECT_NE(event["message"].get<std::string>().find("\x1b]2;again\x07"), std::string::npos);
    }
  }
  EXPECT_EQ(events, 1) << json.err;
}

TEST_F(OutputHardeningTest, AFifoConfigIsRefusedAtOnce) {
  const auto fifo = dir_ / "fifo.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string command : {"validate", "check"}) {
    const auto started = steady_clock::now();
    const auto r = run_bounded({command, "-c", "fifo.yaml"}, dir_.path(), 20);
    const auto took = steady_clock::now() - started;
    EXPECT_EQ(r.exit_code, kExitConfig) << command << ": " << r.err;
    EXPECT_LT(took, std::chrono::seconds(10)) << command;
    EXPECT_NE(r.err.find("cannot read config file \"fifo.yaml\": it is a FIFO (named pipe), not a "
                         "regular file; point -c at a YAML file"),
              std::string::npos)
        << command << ": " << r.err;
  }
  // A character device is no better.
  const auto dev = run_bounded({"validate", "-c", "/dev/zero"}, dir_.path(), 20);
  EXPECT_EQ(dev.exit_code, kExitConfig);
  EXPECT_NE(dev.err.find("a character device, not a regular file"), std::string::npos) << dev.err;
}

// The reload runs on serve's signal thread: a FIFO there would block SIGTERM too.
TEST_F(OutputHardeningTest, ServeReloadOfAFifoConfigFailsAndSigtermStillStops) {
  testing::sqlite_exec(dir_ / "w.db", "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT);");
  dir_.write("freshguard.yaml", R"yaml(
sources:
  wh: {type: sqlite, path: w.db}
rules:
  - {id: cols, source: wh, table: events, type: schema_change}
)yaml");
  ServeProcess serve({"serve", "--listen", "127.0.0.1:0", "--log-level", "info"}, dir_.path());
  ASSERT_TRUE(serve.log_has("serve.listening", milliseconds(20000))) << serve.log();
  std::filesystem::remove(dir_ / "freshguard.yaml");
  ASSERT_EQ(::mkfifo((dir_ / "freshguard.yaml").c_str(), 0600), 0);
  serve.signal(SIGHUP);
  EXPECT_TRUE(serve.log_has("config.reload_failed", milliseconds(10000))) << serve.log();
  EXPECT_NE(serve.log().find("FIFO (named pipe), not a regular file"), std::string::npos)
      << serve.log();
  serve.signal(SIGTERM);
  const auto code = serve.wait(milliseconds(15000));
  ASSERT_TRUE(code.has_value()) << "serve did not stop after SIGTERM\n" << serve.log();
  EXPECT_EQ(*code, 0) << serve.log();
}

// A "billion laughs": nine levels of nine aliases would expand to 9^9 rules.
TEST_F(OutputHardeningTest, AnAliasBombIsRefusedQuickly) {
  std::string yaml =
      "sources:\n  wh: {type: sqlite, path: w.db}\n"
      "x0: &x0 {id: r, source: wh, table: t, type: schema_change}\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string prev = "*x" + std::to_string(level - 1);
    yaml += "x" + std::to_string(level) + ": &x" + std::to_string(level) + " [";
    for (int k = 0; k < 9; ++k)
      yaml += (k == 0 ? "" : ", ") + prev;
    yaml += "]\n";
  }
  yaml += "rules: *x9\n";
  dir_.write("bomb.yaml", yaml);
  const auto started = steady_clock::now();
  const auto r = run_bounded({"validate", "-c", "bomb.yaml"}, dir_.path(), 60);
  const auto took = steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, kExitConfig) << r.err;
  EXPECT_LT(took, std::chrono::seconds(20));
  EXPECT_NE(r.err.find(": the document expands to more than 1000000 YAML nodes (an alias counts "
                       "each time it is used)"),
            std::string::npos)
      << r.err.substr(0, 2000);
}

// The cheap form: one rule, aliased 150,000 times (about 1 MB of YAML).
TEST_F(OutputHardeningTest, AFlatListOfAliasesIsRefusedQuickly) {
  std::string yaml =
      "sources:\n  wh: {type: sqlite, path: w.db}\n"
      "rule: &r {id: r, source: wh, table: t, type: schema_change}\nrules: [";
  for (int i = 0; i < 150000; ++i)
    yaml += i == 0 ? "*r" : ", *r";
  yaml += "]\n";
  dir_.write("flat.yaml", yaml);
  const auto r = run_bounded({"validate", "-c", "flat.yaml"}, dir_.path(), 120);
  EXPECT_EQ(r.exit_code, kExitConfig);
  EXPECT_EQ(r.err.rfind("rules: the document expands to more than 1000000 YAML nodes", 0), 0U)
      << r.err.substr(0, 2000);
  EXPECT_LT(r.err.size(), 1000U) << "one problem, not one per expanded rule";
}

TEST_F(OutputHardeningTest, MoreRulesThanTheLimitAreRefused) {
  std::string yaml = "sources:\n  wh: {type: sqlite, path: w.db}\nrules:\n";
  for (int i = 0; i <= 50000; ++i)
    yaml += "  - {id: r" + std::to_string(i) + ", source: wh, table: t, type: schema_change}\n";
  dir_.write("many.yaml", yaml);
  const auto r = run_bounded({"validate", "-c", "many.yaml"}, dir_.path(), 120);
  EXPECT_EQ(r.exit_code, kExitConfig) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("rules: has 50001 rules; at most 50000 are allowed in one configuration "
                       "file"),
            std::string::npos)
      << r.err.substr(0, 2000);
}

// History written into a watched SQLite file would land in the warehouse.
TEST_F(OutputHardeningTest, ValidateRefusesMetadataInAWatchedDatabase) {
  testing::sqlite_exec(dir_ / "w.db", "CREATE TABLE t (id INTEGER PRIMARY KEY);");
  std::filesystem::create_symlink(dir_ / "w.db", dir_ / "link.db");
  const std::string config = R"yaml(
sources:
  wh: {type: sqlite, path: w.db}
rules:
  - {id: cols, source: wh, table: t, type: schema_change}
)yaml";
  for (const std::string metadata : {"w.db", "./sub/../w.db", "link.db"}) {
    dir_.write("fg.yaml", config + "metadata: {path: '" + metadata + "'}\n");
    const auto r = run_bounded({"validate", "-c", "fg.yaml"}, dir_.path());
    EXPECT_EQ(r.exit_code, kExitConfig) << metadata << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("metadata.path: is the database file of source \"wh\"; history must "
                         "not be written into a watched database"),
              std::string::npos)
        << metadata << ": " << r.err;
  }
  dir_.write("fg.yaml", config + "metadata: {path: history.db}\n");
  const auto ok = run_bounded({"validate", "-c", "fg.yaml"}, dir_.path());
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// Database names are checked statically: what no quoting can carry is refused by validate,
// and a MySQL name with a hyphen (legal when quoted) is not.
TEST_F(OutputHardeningTest, ValidateChecksServerDatabaseNames) {
  const auto config = [](const std::string& type, const std::string& database) {
    return "sources:\n  db:\n    type: " + type +
           "\n    host: 127.0.0.1\n    username: fg\n    password: Long-enough-1\n"
           "    database: '" +
           database + "'\nrules:\n  - {id: c, source: db, table: t, type: schema_change}\n";
  };
  dir_.write("fg.yaml", config("mysql", "rt-db"));
  const auto hyphen = run_bounded({"validate", "-c", "fg.yaml"}, dir_.path());
  EXPECT_EQ(hyphen.exit_code, 0) << hyphen.err;
  dir_.write("fg.yaml", config("mysql", "a`b"));
  const auto backtick = run_bounded({"validate", "-c", "fg.yaml"}, dir_.path());
  EXPECT_EQ(backtick.exit_code, kExitConfig);
  EXPECT_NE(backtick.err.find("sources.db.database: must not contain quotes, backticks or control "
                              "characters"),
            std::string::npos)
      << backtick.err;
  dir_.write("fg.yaml", config("postgres", std::string(64, 'd')));
  const auto long_pg = run_bounded({"validate", "-c", "fg.yaml"}, dir_.path());
  EXPECT_EQ(long_pg.exit_code, kExitConfig);
  EXPECT_NE(long_pg.err.find("sources.db.database: must be at most 63 bytes for postgres, got 64"),
            std::string::npos)
      << long_pg.err;
  // A default schema the connector would refuse (PostgreSQL: 63 bytes) is refused here too.
  std::string yaml = config("postgres", "ops");
  yaml.insert(yaml.find("rules:"), "    schema: " + std::string(64, 's') + "\n");
  dir_.write("fg.yaml", yaml);
  const auto schema = run_bounded({"validate", "-c", "fg.yaml"}, dir_.path());
  EXPECT_EQ(schema.exit_code, kExitConfig);
  EXPECT_NE(schema.err.find("sources.db.schema: SECURITY_VIOLATION: "), std::string::npos)
      << schema.err;
}

// A password that is an ordinary word must not be revealed by where [REDACTED] lands: with
// password "authentication", a table of that name (and the word in driver messages) printed
// as [REDACTED] said what the password was. The output must not depend on the password.
TEST_F(OutputHardeningTest, AWordPasswordIsNotRevealedInCheckOutput) {
  testing::sqlite_exec(dir_ / "w.db", "CREATE TABLE authentication (id INTEGER PRIMARY KEY);");
  dir_.write("freshguard.yaml", R"yaml(
sources:
  wh: {type: sqlite, path: w.db}
  pg:
    type: postgres
    host: 127.0.0.1
    port: 1
    database: authentication
    username: fg
    password: ${PG_PASSWORD}
    ssl: disable
    retry: {enabled: false}
rules:
  - {id: auth, source: wh, table: authentication, type: schema_change}
  - {id: pg_auth, source: pg, table: authentication, type: schema_change}
)yaml");
  const auto output = [&](const std::string& password, const std::string& format) {
    std::filesystem::remove_all(dir_ / ".freshguard");  // each run starts without a baseline
    const auto r = run_bounded({"check", "--no-history", "--format", format}, dir_.path(), 60,
                               {"PG_PASSWORD=" + password});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    if (format == "table") return r.out;
    auto doc = nlohmann::json::parse(r.out);
    for (auto& result : doc["results"]) {  // what varies from run to run
      result.erase("duration_ms");
      result.erase("checked_at");
    }
    return doc["results"].dump();
  };
  for (const std::string format : {"table", "json"}) {
    const std::string word = output("authentication", format);
    EXPECT_EQ(word, output("Zq9-unrelated-Secret", format)) << format;
    EXPECT_EQ(word.find("[REDACTED]"), std::string::npos) << word;
    EXPECT_NE(word.find("authentication"), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace freshguard
