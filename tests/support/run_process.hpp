#pragma once
// Runs the freshguard binary as a user would, capturing stdout, stderr and the exit code.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include "support/temp_dir.hpp"

namespace freshguard::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// Runs FRESHGUARD_BIN with `args`, in `cwd`, with extra `env` assignments ("K=V").
inline ProcessResult run_freshguard(const std::vector<std::string>& args,
                                    const std::filesystem::path& cwd,
                                    const std::vector<std::string>& env = {}) {
  TempDir io;
  std::string cmd = "cd " + shell_quote(cwd.string()) + " && env";
  for (const auto& e : env)
    cmd += " " + shell_quote(e);
  cmd += " " + shell_quote(FRESHGUARD_BIN);
  for (const auto& a : args)
    cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote((io / "out").string()) + " 2>" + shell_quote((io / "err").string()) +
         " </dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(io / "out");
  r.err = slurp(io / "err");
  return r;
}

}  // namespace freshguard::testing
