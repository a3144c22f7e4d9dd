#include "cli/app.hpp"

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include <freshguard/core/version.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace freshguard::cli {
namespace {

constexpr const char* kDescription =
    "FreshGuard watches your warehouse tables and tells you when one stops updating.\n"
    "Exit codes of check: 0 all ok, 1 at least one alert, 2 at least one check could not\n"
    "run or the results could not be recorded; 64 bad usage, 78 invalid configuration.";

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-c,--config", g.config_path, "Configuration file")->capture_default_str();
  app.add_option("--log-level", g.log_level,
                 "Log level: trace, debug, info, warn, error, off (default: from the config, "
                 "else info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--log-format", g.log_format,
                 "Log format on stderr: json or text (default: from the config, else json)")
      ->check(CLI::IsMember({"json", "text"}));
}

// The history subcommands: `history` and `baseline approve`.
struct HistoryCommands {
  HistoryOptions history_opts;
  ApproveOptions approve_opts;
  CLI::App* history = nullptr;
  CLI::App* approve = nullptr;

  void add(CLI::App& app) {
    history = app.add_subcommand("history", "Show recent check results from the metadata store");
    history->add_option("--rule", history_opts.rule, "Only this rule id (default: every rule)");
    history->add_option("--limit", history_opts.limit, "Executions to show, newest first")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    history->add_option("--since", history_opts.since,
                        "Only executions at or after this time (ISO-8601, e.g. "
                        "2026-11-27T00:00:00Z)");
    history->add_option("--format", history_opts.format, "Output: table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();

    auto* baseline = app.add_subcommand("baseline", "Manage the baselines of rules");
    baseline->require_subcommand(1);
    approve = baseline->add_subcommand(
        "approve",
        "Accept a rule's current state: a schema_change rule takes the table's current schema "
        "as its baseline; a volume_anomaly rule learns from the row counts that alerted so far");
    approve->add_option("--rule", approve_opts.rule, "The rule id")->required();
    approve->add_option("--note", approve_opts.note, "Why (kept with the approval)");
    approve->add_option("--by", approve_opts.by, "Who approves (default: $USER)");
  }
};

// `serve` and its options.
CLI::App* add_serve(CLI::App& app, ServeOptions& o) {
  auto* serve = app.add_subcommand(
      "serve",
      "Run every rule on its check_interval_minutes, record results, send alerts, and serve "
      "/healthz, /readyz, /metrics and /api/v1/status over HTTP. SIGHUP reloads the config "
      "(an invalid one is reported and the old one kept); SIGTERM/SIGINT drain and exit 0");
  serve->add_option("--listen", o.listen, "HOST:PORT to serve HTTP on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--token-env", o.token_env,
                    "Environment variable holding a bearer token required by /api/v1/* "
                    "(default: no token)");
  serve->add_option("--concurrency", o.concurrency, "Checks run at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve
      ->add_option("--per-source-concurrency", o.per_source_concurrency,
                   "Checks of one source run at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve
      ->add_option("--grace-seconds", o.grace_seconds,
                   "On SIGTERM, how long running checks may take to finish")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  serve
      ->add_option("--interval-override-seconds", o.interval_override_seconds,
                   "Run every rule at this interval instead of its check_interval_minutes "
                   "(for tests and demos; 0 = off)")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  return serve;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{kDescription, "freshguard"};
  app.set_version_flag("--version", std::string(version()), "Print the version and exit");
  app.require_subcommand(1);

  GlobalOptions g;
  add_global_options(app, g);

  CheckOptions check_opts;
  auto* check = app.add_subcommand("check", "Run the rules once and report (exit 0/1/2)");
  check->add_option("--rule", check_opts.rules, "Run only this rule id (repeatable)");
  check->add_option("--concurrency", check_opts.concurrency, "Checks run at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  check->add_option("--format", check_opts.format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  check->add_flag("--no-history", check_opts.no_history,
                  "Do not record the results in the metadata store (volume_anomaly and "
                  "schema_change rules still read and keep their baselines there)");

  auto* validate = app.add_subcommand(
      "validate", "Check the configuration and list every problem (exit 0 or 78)");

  TestOptions test_opts;
  auto* test = app.add_subcommand("test", "Test the connection to each source (exit 0 or 2)");
  test->add_option("--source", test_opts.sources, "Test only this source (repeatable)");
  test->add_option("--format", test_opts.format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  InitOptions init_opts;
  auto* init = app.add_subcommand("init", "Write a commented starter configuration");
  init->add_option("-o,--output", init_opts.output,
                   "Where to write it (default: the --config path)");
  init->add_flag("--force", init_opts.force, "Overwrite an existing file");

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  ExplainOptions explain_opts;
  auto* explain = app.add_subcommand(
      "explain",
      "Show the SQL each rule would send and the query analyser's verdict, without "
      "connecting to any database (exit 0, or 2 when the analyser rejects a query)");
  explain->add_option("--rule", explain_opts.rules, "Explain only this rule id (repeatable)");
  explain->add_option("--format", explain_opts.format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  ServeOptions serve_opts;
  auto* serve = add_serve(app, serve_opts);

  HistoryCommands hist;
  hist.add(app);

  // The global options are accepted before and after the subcommand, and listed in its --help.
  for (auto* sub : app.get_subcommands({}))
    add_global_options(*sub, g);
  add_global_options(*hist.approve, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (check->parsed()) return cmd_check(g, check_opts, out, err);
  if (validate->parsed()) return cmd_validate(g, out, err);
  if (test->parsed()) return cmd_test(g, test_opts, out, err);
  if (init->parsed()) return cmd_init(g, init_opts, out, err);
  if (version_cmd->parsed()) return cmd_version(out);
  if (explain->parsed()) return cmd_explain(g, explain_opts, out, err);
  if (serve->parsed()) return cmd_serve(g, serve_opts, out, err);
  if (hist.history->parsed()) return cmd_history(g, hist.history_opts, out, err);
  if (hist.approve->parsed()) return cmd_baseline_approve(g, hist.approve_opts, out, err);
  return kExitUsage;  // unreachable: a subcommand is required
}

}  // namespace freshguard::cli
