#pragma once
/// Redaction of secrets from anything that is logged or printed.
///
/// Two mechanisms, both always on: (1) known secret values (passwords and tokens from the
/// config) are replaced wherever they appear; (2) patterns that carry secrets are masked:
/// `password=...`/`password: ...` style pairs for secret-looking keys, credentials in URLs
/// (`scheme://user:secret@host`), `Bearer <token>` and PEM private-key blocks.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace freshguard::obs {

inline constexpr std::string_view kRedacted = "[REDACTED]";

/// Thread-safe. add_secret may be called at any time; redact sees every secret added before.
class Redactor {
 public:
  /// Registers a secret value. Values shorter than 4 characters are ignored (they would mask
  /// ordinary text); empty values are ignored.
  void add_secret(std::string value);
  /// Returns `text` with every known secret and secret-carrying pattern masked.
  std::string redact(std::string_view text) const;
  /// True for keys whose values are secrets: password, passwd, pwd, secret, token,
  /// api_key, apikey, private_key, authorization, credentials, routing_key, ... (case-blind,
  /// also as a suffix such as `db_password`).
  static bool is_secret_key(std::string_view key);

 private:
  mutable std::mutex mu_;
  std::vector<std::string> secrets_;
};

}  // namespace freshguard::obs
