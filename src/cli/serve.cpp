// `freshguard serve`: the long-running service. Signals: SIGHUP reloads the config (an
// invalid one is reported and the old one kept), SIGTERM and SIGINT drain and exit 0.

#include <cstdio>
#include <cstdlib>
#include <ostream>

#include <signal.h>

#include <freshguard/daemon/daemon.hpp>
#include <freshguard/daemon/http_server.hpp>
#include <freshguard/metadata/factory.hpp>
#include <freshguard/observability/logger.hpp>

#include "cli/app.hpp"
#include "cli/commands.hpp"

namespace freshguard::cli {
namespace {

void log(obs::LogLevel level, const char* action, const std::string& message,
         std::vector<std::pair<std::string, std::string>> fields = {}) {
  obs::logger().log({.level = level,
                     .component = "serve",
                     .action = action,
                     .message = message,
                     .fields = std::move(fields)});
}

void reload(const GlobalOptions& g, daemon::Daemon& d) {
  config::LoadResult loaded = config::load_config_file(g.config_path);
  if (!loaded.ok()) {
    for (const auto& p : loaded.problems)
      log(obs::LogLevel::kError, "config.reload_problem", p.to_string());
    log(obs::LogLevel::kError, "config.reload_failed",
        "the new configuration in " + g.config_path + " has " +
            std::to_string(loaded.problems.size()) + " problem(s); the previous one stays in use");
    d.reload_failed();
    return;
  }
  for (const auto& s : loaded.config->secrets())
    obs::logger().redactor().add_secret(s);
  d.reload(std::move(*loaded.config));
  log(obs::LogLevel::kInfo, "config.reloaded", "reloaded " + g.config_path);
}

// Waits for signals until SIGTERM or SIGINT; SIGHUP reloads.
void wait_for_signals(const GlobalOptions& g, daemon::Daemon& d, const sigset_t& set) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      reload(g, d);
      continue;
    }
    log(obs::LogLevel::kInfo, "serve.stopping",
        std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", draining");
    return;
  }
}

}  // namespace

int cmd_serve(const GlobalOptions& g, const ServeOptions& opts, std::ostream& out,
              std::ostream& err) {
  (void)out;  // serve prints nothing on stdout: logs go to stderr
  std::string listen_error;
  const auto address = daemon::parse_listen(opts.listen, &listen_error);
  if (!address) {
    err << "--listen: " << listen_error << ", got \"" << opts.listen << "\"\n";
    return kExitUsage;
  }
  std::string token;
  if (!opts.token_env.empty()) {
    const char* v = std::getenv(opts.token_env.c_str());
    if (v == nullptr || *v == '\0') {
      err << "--token-env: environment variable " << opts.token_env << " is not set or empty\n";
      return kExitUsage;
    }
    token = v;
  }
  auto cfg = load_and_setup(g, err, nullptr);
  if (!cfg) return kExitConfig;
  if (!token.empty()) obs::logger().redactor().add_secret(token);

  // Every thread started from here on inherits the blocked signals; this one waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::unique_ptr<MetadataStore> store;
  try {
    store = open_metadata_store(cfg->metadata);
  } catch (const Error& e) {
    err << "freshguard serve: cannot open the metadata store: " << e.what() << '\n';
    return kExitError;
  }
  daemon::DaemonOptions options;
  options.scheduler.max_concurrent = opts.concurrency;
  options.scheduler.max_per_source = opts.per_source_concurrency;
  if (opts.interval_override_seconds > 0) {
    options.interval_override = std::chrono::seconds(opts.interval_override_seconds);
  }
  daemon::Daemon d(std::move(*cfg), std::move(store), options);
  daemon::HttpServer http(d, token);
  int port = 0;
  try {
    port = http.start(*address);
  } catch (const Error& e) {
    err << "freshguard serve: " << e.what() << '\n';
    return kExitError;
  }
  d.start();
  log(obs::LogLevel::kInfo, "serve.listening",
      "listening on " + address->host + ":" + std::to_string(port),
      {{"host", address->host}, {"port", std::to_string(port)}});

  wait_for_signals(g, d, set);
  http.stop();
  const bool drained = d.stop(std::chrono::seconds(opts.grace_seconds));
  if (!drained) {
    log(obs::LogLevel::kWarn, "serve.grace_expired",
        "checks still running after the grace period were abandoned");
    std::fflush(nullptr);
    std::_Exit(kExitOk);  // the late checks' threads cannot be joined in time
  }
  log(obs::LogLevel::kInfo, "serve.stopped", "stopped");
  return kExitOk;
}

}  // namespace freshguard::cli
