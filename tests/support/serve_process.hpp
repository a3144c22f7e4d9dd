#pragma once
// `freshguard serve` as a child process of a test, in a folder of its own (stdout to
// serve.out, stderr to serve.err there); killed if the test ends early.

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "support/run_process.hpp"
#include "support/test_server_env.hpp"

namespace freshguard::testing {

class ServeProcess {
 public:
  /// Starts FRESHGUARD_BIN with `args` in `dir`, with `env` added to the environment.
  ServeProcess(const std::vector<std::string>& args, const std::filesystem::path& dir,
               const std::vector<std::pair<std::string, std::string>>& env = {})
      : err_(dir / "serve.err") {
    pid_ = ::fork();
    if (pid_ == 0) {
      for (const auto& [k, v] : env)
        ::setenv(k.c_str(), v.c_str(), 1);
      if (::chdir(dir.c_str()) != 0) ::_exit(126);
      std::FILE* out = std::freopen((dir / "serve.out").c_str(), "w", stdout);
      std::FILE* err = std::freopen(err_.c_str(), "w", stderr);
      if (out == nullptr || err == nullptr) ::_exit(126);
      std::vector<char*> argv{const_cast<char*>(FRESHGUARD_BIN)};
      for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(FRESHGUARD_BIN, argv.data());
      ::_exit(127);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  /// What serve wrote to stderr so far (its log).
  std::string log() const { return slurp(err_); }
  void signal(int sig) const { ::kill(pid_, sig); }
  /// The exit status after waiting up to `limit`; nullopt when still running.
  std::optional<int> wait(std::chrono::milliseconds limit) {
    std::optional<int> code;
    eventually(
        [&] {
          int status = 0;
          if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return true;
          }
          return false;
        },
        limit);
    return code;
  }
  /// True once the log holds `text`, waiting up to `limit`.
  bool log_has(std::string_view text, std::chrono::milliseconds limit) const {
    return eventually([&] { return log().find(text) != std::string::npos; }, limit);
  }
  /// The port from the "serve.listening" log line; 0 before it.
  int port() const {
    std::istringstream lines(log());
    for (std::string line; std::getline(lines, line);) {
      if (line.find("serve.listening") == std::string::npos) continue;
      return std::stoi(nlohmann::json::parse(line)["port"].get<std::string>());
    }
    return 0;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::filesystem::path err_;
};

}  // namespace freshguard::testing
