#pragma once
// Options shared by the subcommands, filled by CLI11.

#include <string>
#include <vector>

namespace freshguard::cli {

struct GlobalOptions {
  std::string config_path = "freshguard.yaml";
  std::string log_level;   // empty: from the config, else "info"
  std::string log_format;  // empty: from the config, else "json"
};

struct CheckOptions {
  std::vector<std::string> rules;
  int concurrency = 8;
  std::string format = "table";
  bool no_history = false;  // do not record results in the metadata store
};

struct HistoryOptions {
  std::string rule;  // empty: every rule
  int limit = 20;
  std::string since;  // ISO-8601 timestamp, or empty
  std::string format = "table";
};

struct ApproveOptions {
  std::string rule;
  std::string note;
  std::string by;  // empty: $USER
};

struct TestOptions {
  std::vector<std::string> sources;
  std::string format = "table";
};

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string token_env;              // empty: the API needs no token
  int concurrency = 8;                // checks at once
  int per_source_concurrency = 4;     // checks of one source at once
  int grace_seconds = 30;             // SIGTERM: how long running checks may finish
  int interval_override_seconds = 0;  // > 0: every rule at this interval (tests, demos)
};

struct ExplainOptions {
  std::vector<std::string> rules;  // empty: every rule
  std::string format = "table";
};

struct InitOptions {
  std::string output;  // empty: the --config path
  bool force = false;
};

}  // namespace freshguard::cli
