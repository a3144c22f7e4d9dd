#include "connectors/bigquery/bq_auth.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <freshguard/core/error.hpp>

#include "connectors/bigquery/bq_errors.hpp"

namespace freshguard::bigquery {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr seconds kTokenLifetime{3600};  // the longest Google accepts
constexpr seconds kRefreshMargin{60};

std::string required_field(const json& doc, const char* field, const std::string& where) {
  const auto it = doc.find(field);
  if (it == doc.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw ConfigError(where + ": the service-account key has no \"" + field + "\"");
  }
  return it->get<std::string>();
}

}  // namespace

ServiceAccountKey load_service_account_key(const std::string& path) {
  std::string file = path;
  if (file.empty()) {
    const char* env = std::getenv("GOOGLE_APPLICATION_CREDENTIALS");
    if (env == nullptr || *env == '\0') {
      throw ConfigError(
          "no BigQuery credentials: set credentials_file or GOOGLE_APPLICATION_CREDENTIALS");
    }
    file = env;
  }
  const std::string where = "credentials file \"" + file + "\"";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(where + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  const json doc = json::parse(text.str(), nullptr, false);
  if (!doc.is_object()) throw ConfigError(where + " is not a JSON service-account key");
  if (doc.value("type", std::string()) != "service_account") {
    throw ConfigError(where + " is not a service-account key (\"type\": \"service_account\")");
  }
  ServiceAccountKey key;
  key.client_email = required_field(doc, "client_email", where);
  key.private_key_pem = required_field(doc, "private_key", where);
  key.token_uri = required_field(doc, "token_uri", where);
  if (key.token_uri.rfind("https://", 0) != 0 && key.token_uri.rfind("http://", 0) != 0) {
    throw ConfigError(where + ": token_uri must be an http(s) URL");
  }
  return key;
}

TokenSource::TokenSource(ServiceAccountKey key, const net::HttpClient& http, const Clock& clock)
    : key_(std::move(key)),
      private_key_(net::RsaPrivateKey::from_pem(key_.private_key_pem, "the service-account key")),
      http_(http),
      clock_(clock) {}

std::string TokenSource::token(const resilience::Deadline& deadline) {
  std::lock_guard lock(mu_);
  if (token_.empty() || clock_.steady_now() >= refresh_at_) token_ = exchange(deadline);
  return token_;
}

void TokenSource::invalidate(const std::string& token) {
  std::lock_guard lock(mu_);
  if (token_ == token) token_.clear();
}

std::string TokenSource::exchange(const resilience::Deadline& deadline) {
  const auto now = duration_cast<seconds>(clock_.wall_now().time_since_epoch()).count();
  const json claims = {{"iss", key_.client_email},
                       {"scope", kBigqueryScope},
                       {"aud", key_.token_uri},
                       {"iat", now},
                       {"exp", now + kTokenLifetime.count()}};
  net::HttpRequest req;
  req.method = "POST";
  req.url = key_.token_uri;
  req.headers = {"Content-Type: application/x-www-form-urlencoded"};
  req.body = "grant_type=" + net::url_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
             "&assertion=" + net::url_encode(net::make_jwt_rs256(claims.dump(), private_key_));
  const SteadyTime sent = clock_.steady_now();
  const auto resp =
      http_.send(req, duration_cast<milliseconds>(deadline.remaining()), "BigQuery token exchange");
  if (resp.status != 200) throw_token_error(resp.status, resp.body);
  const json doc = json::parse(resp.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("access_token") || !doc["access_token"].is_string()) {
    throw ConnectionError("BigQuery token exchange: the response has no access_token", true);
  }
  const auto expires_in = seconds(doc.value("expires_in", std::int64_t{kTokenLifetime.count()}));
  refresh_at_ = sent + std::max(seconds(0), expires_in - kRefreshMargin);
  return doc["access_token"].get<std::string>();
}

}  // namespace freshguard::bigquery
