// Loading the config and setting up logging, shared by the subcommands.

#include <ostream>

#include <nlohmann/json.hpp>

#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/printable.hpp>

#include "cli/commands.hpp"
#include "cli/render.hpp"

namespace freshguard::cli {
namespace {

void install_logger(const GlobalOptions& g, const config::Config* cfg) {
  std::string level = !g.log_level.empty() ? g.log_level : cfg ? cfg->logging.level : "info";
  std::string format = !g.log_format.empty() ? g.log_format : cfg ? cfg->logging.format : "json";
  auto redactor = std::make_shared<obs::Redactor>();
  if (cfg != nullptr) {
    for (const auto& s : cfg->secrets())
      redactor->add_secret(s);
  }
  obs::set_logger(std::make_unique<obs::Logger>(
      obs::parse_log_level(level).value_or(obs::LogLevel::kInfo),
      obs::parse_log_format(format).value_or(obs::LogFormat::kJson), std::move(redactor)));
}

}  // namespace

std::optional<config::Config> load_and_setup(const GlobalOptions& g, std::ostream& err,
                                             std::ostream* json_out) {
  config::LoadResult loaded = config::load_config_file(g.config_path);
  if (loaded.ok()) {
    install_logger(g, &*loaded.config);
    obs::logger().log({.level = obs::LogLevel::kDebug,
                       .component = "config",
                       .action = "config.loaded",
                       .message = "loaded " + g.config_path});
    return std::move(loaded.config);
  }
  install_logger(g, nullptr);
  for (const auto& p : loaded.problems)
    err << obs::printable(p.to_string()) << '\n';
  err << loaded.problems.size() << (loaded.problems.size() == 1 ? " problem" : " problems")
      << " in " << g.config_path << '\n';
  if (json_out != nullptr) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : loaded.problems) {
      problems.push_back({{"path", p.path},
                          {"message", p.message},
                          {"code", p.security ? "SECURITY_VIOLATION" : "CONFIG_INVALID"}});
    }
    nlohmann::json doc = {{"error",
                           {{"code", "CONFIG_INVALID"},
                            {"message", "invalid configuration"},
                            {"problems", problems}}}};
    *json_out << dump_json(doc) << '\n';
  }
  return std::nullopt;
}

}  // namespace freshguard::cli
