// The alert sinks: HTTP (webhook, Slack, PagerDuty) through cpp-httplib, and a command.

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <thread>

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <freshguard/alerts/alerts.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard::alerts {
namespace {

// "https://host:port/path?q" -> ("https://host:port", "/path?q").
std::pair<std::string, std::string> split_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw ConfigError("alert sink URL has no scheme");
  const auto path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  return {url.substr(0, path_start), url.substr(path_start)};
}

// Bounds a whole HTTP attempt: cpp-httplib's timeouts bound each wait for bytes, not the
// sum, so a receiver trickling a byte now and then could hold an attempt for ever. Past the
// limit this shuts the client's connection down (Client::stop() is the thread-safe way), and
// again every 100 ms until the attempt has returned, in case the request was not yet on the
// wire. Destroying it ends the watch.
class AttemptWatchdog {
 public:
  AttemptWatchdog(httplib::Client& client, std::chrono::milliseconds limit)
      : thread_([this, &client, limit](const std::stop_token& stop) {
          std::mutex mu;
          std::condition_variable_any cv;
          std::unique_lock lock(mu);
          auto wait = std::chrono::milliseconds(limit);
          while (!cv.wait_for(lock, stop, wait, [] { return false; }) && !stop.stop_requested()) {
            fired_ = true;
            client.stop();
            wait = std::chrono::milliseconds(100);
          }
        }) {}
  /// True once the limit passed (the connection was shut down).
  bool fired() const noexcept { return fired_; }

 private:
  std::atomic<bool> fired_{false};
  std::jthread thread_;
};

class HttpSink : public AlertSink {
 public:
  enum class Format { kGeneric, kSlack, kPagerDuty };
  HttpSink(const config::AlertSinkConfig& c, Format format, const SinkOptions& options)
      : name_(c.name),
        format_(format),
        routing_key_(c.routing_key),
        headers_(c.headers),
        options_(options) {
    std::string url = c.url;
    if (url.empty() && format == Format::kPagerDuty) url = std::string(kPagerDutyEndpoint);
    std::tie(origin_, path_) = split_url(url);
  }
  const std::string& name() const noexcept override { return name_; }

  void deliver(const AlertEvent& e) override {
    httplib::Client client(origin_);
    client.set_connection_timeout(options_.connect_timeout);
    client.set_read_timeout(options_.io_timeout);
    client.set_write_timeout(options_.io_timeout);
    httplib::Headers headers;
    for (const auto& [k, v] : headers_)
      headers.emplace(k, v);
    const std::string body = format_ == Format::kSlack       ? to_slack_json(e)
                             : format_ == Format::kPagerDuty ? to_pagerduty_json(e, routing_key_)
                                                             : to_json(e);
    const AttemptWatchdog watchdog(client, options_.attempt_timeout);  // ends before client
    auto res = client.Post(path_, headers, body, "application/json");
    if (!res) {
      throw std::runtime_error(watchdog.fired()
                                   ? "request took longer than " +
                                         std::to_string(options_.attempt_timeout.count()) + " ms"
                                   : "request failed: " + httplib::to_string(res.error()));
    }
    if (res->status < 200 || res->status > 299) {
      throw std::runtime_error("HTTP status " + std::to_string(res->status));
    }
  }

 private:
  std::string name_;
  Format format_;
  std::string routing_key_;
  std::map<std::string, std::string> headers_;
  SinkOptions options_;
  std::string origin_;
  std::string path_;
};

// Writes all of `data` to `fd`; false when the reader went away.
bool write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

class CommandSink : public AlertSink {
 public:
  explicit CommandSink(const config::AlertSinkConfig& c) : name_(c.name), command_(c.command) {}
  const std::string& name() const noexcept override { return name_; }

  void deliver(const AlertEvent& e) override {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
      ::dup2(fds[0], STDIN_FILENO);
      ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[0]);
    ::signal(SIGPIPE, SIG_IGN);  // a command that does not read stdin must not kill us
    write_all(fds[1], to_json(e) + "\n");
    ::close(fds[1]);
    const int status = wait_bounded(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error(WIFEXITED(status) ? "command exited with status " +
                                                       std::to_string(WEXITSTATUS(status))
                                                 : "command was killed or timed out");
    }
  }

 private:
  // waitpid with a 10 s limit; the command is killed past it.
  static int wait_bounded(pid_t pid) {
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) return status;
      ::poll(nullptr, 0, 10);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return status;
  }

  std::string name_;
  std::string command_;
};

}  // namespace

std::unique_ptr<AlertSink> make_sink(const config::AlertSinkConfig& c, const SinkOptions& options) {
  using Format = HttpSink::Format;
  if (c.type == "webhook") return std::make_unique<HttpSink>(c, Format::kGeneric, options);
  if (c.type == "slack") return std::make_unique<HttpSink>(c, Format::kSlack, options);
  if (c.type == "pagerduty") return std::make_unique<HttpSink>(c, Format::kPagerDuty, options);
  if (c.type == "command") return std::make_unique<CommandSink>(c);
  throw ConfigError("unknown alert sink type \"" + c.type + "\"");
}

}  // namespace freshguard::alerts
