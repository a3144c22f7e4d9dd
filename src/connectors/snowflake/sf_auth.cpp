#include "connectors/snowflake/sf_auth.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <freshguard/core/error.hpp>

#include "connectors/snowflake/sf_values.hpp"

namespace freshguard::snowflake {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Snowflake accepts JWTs valid for at most an hour; sign for 59 minutes and sign anew a
// minute before that runs out.
constexpr seconds kJwtLifetime{59 * 60};
constexpr seconds kRefreshMargin{60};

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(what + " \"" + path + "\" cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string text) {
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

}  // namespace

Auth::Auth(Auth&&) noexcept = default;
Auth::~Auth() = default;

Auth Auth::key_pair(std::string_view account, std::string_view user,
                    const std::string& private_key_file, const Clock& clock) {
  if (private_key_file.empty()) throw ConfigError("no Snowflake private_key_file is set");
  const std::string where = "private key file \"" + private_key_file + "\"";
  Auth auth(clock);
  auth.key_ = std::make_unique<net::RsaPrivateKey>(
      net::RsaPrivateKey::from_pem(read_file(private_key_file, "private key file"), where));
  auth.subject_ = jwt_account(account) + "." + upper(user);
  auth.issuer_ = auth.subject_ + "." + auth.key_->public_key_fingerprint();
  return auth;
}

Auth Auth::oauth(std::string token_file, const Clock& clock) {
  Auth auth(clock);
  auth.token_file_ = std::move(token_file);
  auth.token_ = trimmed(read_file(auth.token_file_, "OAuth token file"));
  if (auth.token_.empty()) {
    throw ConfigError("OAuth token file \"" + auth.token_file_ + "\" is empty");
  }
  return auth;
}

std::string Auth::sign() const {
  const auto now = duration_cast<seconds>(clock_->wall_now().time_since_epoch()).count();
  const nlohmann::json claims = {
      {"iss", issuer_}, {"sub", subject_}, {"iat", now}, {"exp", now + kJwtLifetime.count()}};
  return net::make_jwt_rs256(claims.dump(), *key_);
}

Bearer Auth::current() {
  std::lock_guard lock(*mu_);
  if (!key_) {
    if (token_.empty()) token_ = trimmed(read_file(token_file_, "OAuth token file"));
    return {token_, "OAUTH"};
  }
  if (token_.empty() || clock_->steady_now() >= refresh_at_) {
    token_ = sign();
    refresh_at_ = clock_->steady_now() + (kJwtLifetime - kRefreshMargin);
  }
  return {token_, "KEYPAIR_JWT"};
}

void Auth::invalidate(const std::string& token) {
  std::lock_guard lock(*mu_);
  if (token_ == token) token_.clear();
}

}  // namespace freshguard::snowflake
