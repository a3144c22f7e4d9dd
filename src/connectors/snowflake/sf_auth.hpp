#pragma once
// Snowflake SQL API credentials: a key-pair JWT (signed here, cached until shortly before
// it expires) or an OAuth access token read from a file.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <freshguard/core/clock.hpp>
#include <freshguard/net/jwt.hpp>

namespace freshguard::snowflake {

/// The bearer token of one request and its X-Snowflake-Authorization-Token-Type.
struct Bearer {
  std::string token;  ///< secret
  std::string type;   ///< KEYPAIR_JWT or OAUTH
};

/// Thread-safe. Never logs or puts a token or key in a message.
class Auth {
 public:
  /// Key-pair auth: reads the unencrypted PEM private key at `private_key_file`. Throws
  /// ConfigError naming the file (never quoting it) when it cannot be read or is not an RSA
  /// key. `clock` must outlive this.
  static Auth key_pair(std::string_view account, std::string_view user,
                       const std::string& private_key_file, const Clock& clock);
  /// OAuth: the token is the content of `token_file` (surrounding whitespace trimmed), read
  /// now and again after the API rejects it (so an external refresher can rotate it).
  static Auth oauth(std::string token_file, const Clock& clock);

  Auth(Auth&&) noexcept;
  ~Auth();

  /// The token to send: a cached JWT, or a new one when none is cached or the cached one
  /// expires within a minute; the OAuth token as last read.
  Bearer current();
  /// The API answered 401 to `token`: drop it (a JWT is signed afresh, the OAuth file read
  /// again) if it is still the current one.
  void invalidate(const std::string& token);

 private:
  Auth(const Clock& clock) : clock_(&clock) {}
  std::string sign() const;

  const Clock* clock_;
  std::unique_ptr<std::mutex> mu_ = std::make_unique<std::mutex>();
  std::unique_ptr<net::RsaPrivateKey> key_;  ///< key-pair auth only
  std::string issuer_;                       ///< ACCOUNT.USER.SHA256:fingerprint
  std::string subject_;                      ///< ACCOUNT.USER
  std::string token_file_;                   ///< OAuth only
  std::string token_;
  SteadyTime refresh_at_{};
};

}  // namespace freshguard::snowflake
