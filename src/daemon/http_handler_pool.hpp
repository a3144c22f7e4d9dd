#pragma once
/// The handler threads of HttpServer: endpoints that may take time (they read the metadata
/// store or render every rule) run here, never on libmicrohttpd's polling threads, so a slow
/// store or a large status cannot delay /healthz or the other connections.
///
/// A polling thread submits a job and suspends its connection (MHD_suspend_connection); a
/// handler thread runs the job, stores its reply and resumes the connection
/// (MHD_resume_connection); MHD then calls the access handler again, which sends the reply.
/// The daemon must be started with MHD_ALLOW_SUSPEND_RESUME.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct MHD_Connection;

namespace freshguard::daemon {

/// One answer: status, body and content type.
struct HttpReply {
  unsigned status = 200;
  std::string body;
  const char* type = "text/plain";
};

/// What a job does: one of the endpoints that take time, with its parsed arguments.
struct HttpWork {
  enum class Endpoint { kReady, kMetrics, kStatus, kHistory };
  Endpoint endpoint = Endpoint::kReady;
  std::string rule_id;  ///< kHistory
  int limit = 20;       ///< kHistory
};

/// A request handed to the handler threads. Owned by the request (MHD's per-request state,
/// freed when MHD reports the request completed); the pool only borrows it while the
/// connection is suspended.
struct HttpJob {
  MHD_Connection* connection = nullptr;
  HttpWork work;
  HttpReply reply;  ///< set by the handler thread before the connection is resumed
};

class HttpHandlerPool {
 public:
  /// Runs a job's work and returns its reply; must not throw.
  using Runner = std::function<HttpReply(const HttpWork&)>;

  /// Starts `threads` (at least 1) handler threads; at most `max_queued` jobs wait for one.
  HttpHandlerPool(Runner runner, unsigned threads, std::size_t max_queued);
  /// Calls stop().
  ~HttpHandlerPool();
  HttpHandlerPool(const HttpHandlerPool&) = delete;
  HttpHandlerPool& operator=(const HttpHandlerPool&) = delete;

  /// From the access handler, on a polling thread: suspends the job's connection and queues
  /// the job. False (nothing suspended or queued) when the queue is full or the pool is
  /// stopping; the caller then answers at once (503). Thread-safe.
  bool submit(HttpJob& job);
  /// Stops taking jobs; queued ones are answered 503 without running, running ones finish;
  /// every suspended connection is resumed before this returns. Joins the threads.
  /// Idempotent. Call before MHD_stop_daemon (which must see no suspended connection).
  void stop();

 private:
  void work();

  Runner runner_;
  std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<HttpJob*> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace freshguard::daemon
