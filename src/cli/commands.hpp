#pragma once
// The subcommands. Each returns the process exit code.

#include <iosfwd>
#include <optional>

#include <freshguard/config/config.hpp>

#include "cli/options.hpp"

namespace freshguard::cli {

int cmd_check(const GlobalOptions& g, const CheckOptions& opts, std::ostream& out,
              std::ostream& err);
int cmd_validate(const GlobalOptions& g, std::ostream& out, std::ostream& err);
int cmd_test(const GlobalOptions& g, const TestOptions& opts, std::ostream& out, std::ostream& err);
int cmd_init(const GlobalOptions& g, const InitOptions& opts, std::ostream& out, std::ostream& err);
int cmd_version(std::ostream& out);
/// Prints each rule's SQL and the analyser's verdict without connecting. Exit 0, or 2 when
/// the analyser rejects a query.
int cmd_explain(const GlobalOptions& g, const ExplainOptions& opts, std::ostream& out,
                std::ostream& err);
int cmd_serve(const GlobalOptions& g, const ServeOptions& opts, std::ostream& out,
              std::ostream& err);
int cmd_history(const GlobalOptions& g, const HistoryOptions& opts, std::ostream& out,
                std::ostream& err);
int cmd_baseline_approve(const GlobalOptions& g, const ApproveOptions& opts, std::ostream& out,
                         std::ostream& err);

/// Loads the config named by `g`, sets up the process logger from it (flags win), and on
/// failure prints every problem to `err` (and, when `json_out` is set, a JSON error document
/// to it) and returns nullopt.
std::optional<config::Config> load_and_setup(const GlobalOptions& g, std::ostream& err,
                                             std::ostream* json_out);

}  // namespace freshguard::cli
