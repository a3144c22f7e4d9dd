// `validate`, `test`, `init` and `version`.

#include "cli/commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <system_error>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/core/version.hpp>
#include <freshguard/observability/logger.hpp>

#include "cli/app.hpp"
#include "cli/render.hpp"

namespace freshguard::cli {
namespace {

struct SourceTest {
  std::string name;
  std::string type;
  std::optional<CheckError> error;
  double duration_ms = 0;
};

SourceTest test_source(const config::SourceConfig& src) {
  SourceTest t{src.name, std::string(config::to_string(src.type)), std::nullopt, 0};
  const auto start = SystemClock::instance().steady_now();
  try {
    make_connector(src)->test_connection();
  } catch (const Error& e) {
    t.error = CheckError{e.code(), e.what()};
  }
  t.duration_ms =
      std::chrono::duration<double, std::milli>(SystemClock::instance().steady_now() - start)
          .count();
  return t;
}

void render_tests(const std::vector<SourceTest>& tests, bool json, std::ostream& out) {
  const obs::Redactor& redactor = obs::logger().redactor();
  if (json) {
    nlohmann::json doc = {{"sources", nlohmann::json::array()}};
    for (const auto& t : tests) {
      nlohmann::json j = {{"name", t.name},
                          {"type", t.type},
                          {"status", t.error ? "error" : "ok"},
                          {"duration_ms", t.duration_ms}};
      if (t.error) {
        j["error"] = {{"code", to_string(t.error->code)},
                      {"message", redactor.redact(t.error->message)}};
      }
      doc["sources"].push_back(j);
    }
    out << dump_json(doc) << '\n';
    return;
  }
  std::vector<std::vector<std::string>> rows{{"SOURCE", "TYPE", "STATUS", "DETAIL"}};
  for (const auto& t : tests) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f ms", t.duration_ms);
    rows.push_back(
        {t.name, t.type, t.error ? "error" : "ok",
         t.error ? std::string(to_string(t.error->code)) + ": " + redactor.redact(t.error->message)
                 : std::string("connected in ") + ms});
  }
  print_columns(rows, out);
}

}  // namespace

int cmd_validate(const GlobalOptions& g, std::ostream& out, std::ostream& err) {
  auto cfg = load_and_setup(g, err, nullptr);
  if (!cfg) return kExitConfig;
  out << g.config_path << ": ok (" << cfg->sources.size()
      << (cfg->sources.size() == 1 ? " source, " : " sources, ") << cfg->rules.size()
      << (cfg->rules.size() == 1 ? " rule" : " rules") << ")\n";
  return kExitOk;
}

int cmd_test(const GlobalOptions& g, const TestOptions& opts, std::ostream& out,
             std::ostream& err) {
  auto cfg = load_and_setup(g, err, nullptr);
  if (!cfg) return kExitConfig;
  for (const auto& name : opts.sources) {
    if (cfg->sources.count(name) == 0) {
      err << "--source: no source named \"" << name << "\" in " << g.config_path << '\n';
      return kExitUsage;
    }
  }
  std::vector<SourceTest> tests;
  for (const auto& [name, src] : cfg->sources) {
    if (!opts.sources.empty() &&
        std::find(opts.sources.begin(), opts.sources.end(), name) == opts.sources.end()) {
      continue;
    }
    tests.push_back(test_source(src));
  }
  render_tests(tests, opts.format == "json", out);
  const bool failed =
      std::any_of(tests.begin(), tests.end(), [](const SourceTest& t) { return t.error; });
  return failed ? kExitError : kExitOk;
}

int cmd_init(const GlobalOptions& g, const InitOptions& opts, std::ostream& out,
             std::ostream& err) {
  const std::filesystem::path target = opts.output.empty() ? g.config_path : opts.output;
  std::error_code ec;
  if (std::filesystem::exists(target, ec) && !opts.force) {
    err << "init: " << target.string() << " already exists; use --force to overwrite it\n";
    return kExitCantCreate;
  }
  // Write a temporary file beside the target and rename it, so a failure never leaves a
  // partial config behind.
  std::filesystem::path tmp = target;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << config::starter_config();
    f.flush();
    if (!f) {
      err << "init: cannot write " << tmp.string() << '\n';
      std::filesystem::remove(tmp, ec);
      return kExitCantCreate;
    }
  }
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    err << "init: cannot create " << target.string() << ": " << ec.message() << '\n';
    std::filesystem::remove(tmp, ec);
    return kExitCantCreate;
  }
  out << "wrote " << target.string() << "; edit it, then run: freshguard validate -c "
      << target.string() << '\n';
  return kExitOk;
}

int cmd_version(std::ostream& out) {
  out << "freshguard " << version() << " (sqlite " << sqlite3_libversion() << ")\n";
  return kExitOk;
}

}  // namespace freshguard::cli
