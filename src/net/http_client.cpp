#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include <curl/curl.h>

#include <freshguard/core/error.hpp>
#include <freshguard/net/http_client.hpp>

namespace freshguard::net {
namespace {

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  out->append(data, size * count);
  return size * count;
}

// curl takes long milliseconds; at least 1 so that 0 never means "no timeout".
long to_curl_ms(std::chrono::milliseconds ms) {
  return static_cast<long>(std::max<std::chrono::milliseconds::rep>(ms.count(), 1));
}

[[noreturn]] void throw_transport(CURLcode rc, std::string_view what) {
  const std::string name(what);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      throw TimeoutError(name + " timed out", curl_easy_strerror(rc));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      throw ConnectionError(name + ": the server's TLS certificate is not trusted", false,
                            curl_easy_strerror(rc));
    default:
      throw ConnectionError(name + " failed: " + curl_easy_strerror(rc), true,
                            curl_easy_strerror(rc));
  }
}

}  // namespace

// Idle easy handles; each keeps its connection cache, so a reused handle reuses its connection.
struct HttpClient::Idle {
  std::mutex mu;
  std::vector<EasyHandle> handles;

  EasyHandle take() {
    {
      std::lock_guard lock(mu);
      if (!handles.empty()) {
        EasyHandle h = std::move(handles.back());
        handles.pop_back();
        curl_easy_reset(h.get());  // clears the options, keeps the open connections
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }
  void give_back(EasyHandle h, std::size_t max) {
    std::lock_guard lock(mu);
    if (handles.size() < max) handles.push_back(std::move(h));
  }
};

HttpClient::HttpClient(HttpOptions options)
    : options_(std::move(options)), idle_(std::make_shared<Idle>()) {
  global_init();
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(const HttpClient&) = default;
HttpClient& HttpClient::operator=(const HttpClient&) = default;

HttpResponse HttpClient::send(const HttpRequest& request, std::chrono::milliseconds timeout,
                              std::string_view what) const {
  if (timeout.count() <= 0) throw TimeoutError(std::string(what) + ": deadline already passed");
  EasyHandle h = options_.reuse_connections ? idle_->take() : EasyHandle(curl_easy_init());
  if (!h) throw ConnectionError(std::string(what) + ": cannot create an HTTP handle");
  Slist headers;
  for (const auto& line : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) throw ConnectionError(std::string(what) + ": out of memory");
    (void)headers.release();
    headers.reset(next);
  }
  HttpResponse response;
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, to_curl_ms(timeout));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   to_curl_ms(std::min(timeout, options_.connect_timeout)));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &write_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) throw_transport(rc, what);  // the handle and its connection are dropped
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  if (options_.reuse_connections) idle_->give_back(std::move(h), options_.max_idle_handles);
  return response;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 0x0FU]);
    }
  }
  return out;
}

}  // namespace freshguard::net
