#pragma once
/// Redaction of secrets from anything that is logged or printed.
///
/// Redaction is the last line of defence: messages are built so they never hold a secret (a
/// connector puts the driver's own text in an error's detail, never in its message). Two
/// mechanisms, both always on: (1) distinctive known secret values (passwords and tokens from
/// the config) are replaced wherever they appear; (2) patterns that carry secrets are masked
/// whatever the secret: `password=...`/`password: ...` style pairs for secret-looking keys,
/// credentials in URLs (`scheme://user:secret@host`), `Bearer <token>` and PEM private-key
/// blocks.
///
/// A secret that is an ordinary word or number ("authentication", "12345678") is never
/// masked by its text alone: replacing it inside "password authentication failed" would
/// reveal it by where `[REDACTED]` lands. Such a secret is masked only by the patterns of (2),
/// which do not depend on its value.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace freshguard::obs {

inline constexpr std::string_view kRedacted = "[REDACTED]";

/// Thread-safe. add_secret may be called at any time; redact sees every secret added before.
class Redactor {
 public:
  /// Registers a secret value, masked by its text wherever it appears when it is distinctive:
  /// at least 8 bytes mixing at least two of letters, digits and symbols (whitespace is none
  /// of them), or at least 32 bytes. Other values are ignored (masking them would mask, and so
  /// reveal, ordinary text); the patterns still mask them as values of secret keys and in
  /// URLs.
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
