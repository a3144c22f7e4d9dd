#pragma once
// Service-account auth for BigQuery: the JSON key, and the access-token cache.

#include <mutex>
#include <string>

#include <freshguard/core/clock.hpp>
#include <freshguard/net/http_client.hpp>
#include <freshguard/net/jwt.hpp>
#include <freshguard/resilience/deadline.hpp>

namespace freshguard::bigquery {

/// The fields of a service-account JSON key that auth needs.
struct ServiceAccountKey {
  std::string client_email;
  std::string token_uri;
  std::string private_key_pem;  ///< secret
};

/// Reads `path` (or, when empty, the file named by GOOGLE_APPLICATION_CREDENTIALS). Throws
/// ConfigError naming the file, never quoting it, when it is missing, not JSON, not a
/// service-account key, or lacks client_email / private_key / token_uri.
ServiceAccountKey load_service_account_key(const std::string& path);

/// OAuth scope requested for the token.
inline constexpr const char* kBigqueryScope = "https://www.googleapis.com/auth/bigquery";

/// Exchanges signed JWTs for access tokens and caches the current one until a minute before
/// it expires. Thread-safe: one exchange at a time, others wait for its result.
class TokenSource {
 public:
  /// `http` and `clock` must outlive this.
  TokenSource(ServiceAccountKey key, const net::HttpClient& http, const Clock& clock);

  /// A valid access token, exchanging a new JWT when none is cached or it is about to
  /// expire. Throws ConnectionError (not transient) when the token endpoint rejects the
  /// key, transient QueryError on 429/5xx, TimeoutError past `deadline`.
  std::string token(const resilience::Deadline& deadline);
  /// Drops `token` if it is still the cached one (the API said 401).
  void invalidate(const std::string& token);

 private:
  std::string exchange(const resilience::Deadline& deadline);

  ServiceAccountKey key_;
  net::RsaPrivateKey private_key_;
  const net::HttpClient& http_;
  const Clock& clock_;
  std::mutex mu_;
  std::string token_;
  SteadyTime refresh_at_{};
};

}  // namespace freshguard::bigquery
