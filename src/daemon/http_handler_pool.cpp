#include "daemon/http_handler_pool.hpp"

#include <microhttpd.h>

namespace freshguard::daemon {

HttpHandlerPool::HttpHandlerPool(Runner runner, unsigned threads, std::size_t max_queued)
    : runner_(std::move(runner)), max_queued_(max_queued) {
  threads_.reserve(threads == 0 ? 1 : threads);
  for (unsigned i = 0; i < (threads == 0 ? 1U : threads); ++i)
    threads_.emplace_back([this] { work(); });
}

HttpHandlerPool::~HttpHandlerPool() {
  stop();
}

bool HttpHandlerPool::submit(HttpJob& job) {
  {
    const std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    // Suspended before it is queued: a handler thread may resume it at once.
    MHD_suspend_connection(job.connection);
    queue_.push_back(&job);
  }
  wake_.notify_one();
  return true;
}

void HttpHandlerPool::stop() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void HttpHandlerPool::work() {
  for (;;) {
    HttpJob* job = nullptr;
    bool run = false;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every job answered
      job = queue_.front();
      queue_.pop_front();
      run = !stopping_;
    }
    if (run) {
      job->reply = runner_(job->work);
    } else {
      job->reply = {503, "{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"shutting down\"}}\n",
                    "application/json"};
    }
    MHD_Connection* connection = job->connection;  // `job` may be freed once resumed
    MHD_resume_connection(connection);
  }
}

}  // namespace freshguard::daemon
