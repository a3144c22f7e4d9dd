#pragma once
/// JSON Web Tokens signed with RS256 (RSASSA-PKCS1-v1_5 over SHA-256) through OpenSSL, as
/// Google service-account auth and Snowflake key-pair auth require, and base64url.

#include <memory>
#include <string>
#include <string_view>

namespace freshguard::net {

/// base64url without padding (RFC 7515 section 2).
std::string base64url_encode(std::string_view bytes);
/// Decodes base64url (padding optional). Throws ConfigError on a character outside the
/// alphabet.
std::string base64url_decode(std::string_view text);

/// An RSA private key. Move-only; const methods are thread-safe. The key material is never
/// printed; messages name only `what` (e.g. the file it came from).
class RsaPrivateKey {
 public:
  /// Parses a PEM private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE
  /// KEY`, unencrypted). Throws ConfigError naming `what` when it is not an RSA key.
  static RsaPrivateKey from_pem(std::string_view pem, std::string_view what);
  ~RsaPrivateKey();
  RsaPrivateKey(RsaPrivateKey&&) noexcept;
  RsaPrivateKey& operator=(RsaPrivateKey&&) noexcept;

  /// The raw RS256 signature of `data`.
  std::string sign_rs256(std::string_view data) const;
  /// `SHA256:` + base64 of the SHA-256 of the DER public key (SubjectPublicKeyInfo): the
  /// fingerprint Snowflake shows as RSA_PUBLIC_KEY_FP.
  std::string public_key_fingerprint() const;
  /// The public half as PEM (SubjectPublicKeyInfo).
  std::string public_key_pem() const;

 private:
  struct Impl;
  explicit RsaPrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// `base64url(header).base64url(claims).base64url(signature)` with header
/// `{"alg":"RS256","typ":"JWT"}`. `claims_json` must be a JSON object.
std::string make_jwt_rs256(std::string_view claims_json, const RsaPrivateKey& key);

/// Checks an RS256 JWT against a PEM public key and returns its claims JSON text, or an
/// empty string when the token is malformed or the signature does not verify.
std::string verify_jwt_rs256(std::string_view token, std::string_view public_key_pem);

}  // namespace freshguard::net
