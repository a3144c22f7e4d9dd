#include <array>
#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <freshguard/core/error.hpp>
#include <freshguard/net/jwt.hpp>

namespace freshguard::net {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct BioDeleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Bio memory_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string standard_base64(std::string_view bytes) {
  std::string out = base64url_encode(bytes);
  for (char& c : out) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (out.size() % 4 != 0)
    out.push_back('=');
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto at = [&bytes](std::size_t k) -> unsigned {
    return static_cast<unsigned char>(bytes[k]);
  };
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (at(i) << 16U) | (at(i + 1) << 8U) | at(i + 2);
    for (const unsigned shift : {18U, 12U, 6U, 0U})
      out.push_back(kAlphabet[(v >> shift) & 63U]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = at(i) << 16U;
    if (rest == 2) v |= at(i + 1) << 8U;
    out.push_back(kAlphabet[(v >> 18U) & 63U]);
    out.push_back(kAlphabet[(v >> 12U) & 63U]);
    if (rest == 2) out.push_back(kAlphabet[(v >> 6U) & 63U]);
  }
  return out;
}

std::string base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : text) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) throw ConfigError("invalid base64url text");
    acc = (acc << 6U) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

struct RsaPrivateKey::Impl {
  Pkey key;
};

RsaPrivateKey::RsaPrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RsaPrivateKey::~RsaPrivateKey() = default;
RsaPrivateKey::RsaPrivateKey(RsaPrivateKey&&) noexcept = default;
RsaPrivateKey& RsaPrivateKey::operator=(RsaPrivateKey&&) noexcept = default;

RsaPrivateKey RsaPrivateKey::from_pem(std::string_view pem, std::string_view what) {
  Bio bio = memory_bio(pem);
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    throw ConfigError(std::string(what) +
                      ": not an unencrypted PEM RSA private key (BEGIN PRIVATE KEY)");
  }
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return RsaPrivateKey(std::move(impl));
}

std::string RsaPrivateKey::sign_rs256(std::string_view data) const {
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, nullptr, 0) != 1) {
    throw ConnectionError("cannot sign the authentication token", false);
  }
  std::string sig(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    throw ConnectionError("cannot sign the authentication token", false);
  }
  sig.resize(size);
  return sig;
}

std::string RsaPrivateKey::public_key_fingerprint() const {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(impl_->key.get(), &der);
  if (len <= 0) throw ConnectionError("cannot read the public key", false);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(der, static_cast<std::size_t>(len), digest.data());
  OPENSSL_free(der);
  return "SHA256:" + standard_base64(std::string_view(reinterpret_cast<const char*>(digest.data()),
                                                      digest.size()));
}

std::string RsaPrivateKey::public_key_pem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->key.get()) != 1) {
    throw ConnectionError("cannot write the public key", false);
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string make_jwt_rs256(std::string_view claims_json, const RsaPrivateKey& key) {
  const std::string signing_input =
      base64url_encode(R"({"alg":"RS256","typ":"JWT"})") + "." + base64url_encode(claims_json);
  return signing_input + "." + base64url_encode(key.sign_rs256(signing_input));
}

std::string verify_jwt_rs256(std::string_view token, std::string_view public_key_pem) {
  const auto first = token.find('.');
  const auto second = token.rfind('.');
  if (first == std::string_view::npos || second == first) return {};
  Bio bio = memory_bio(public_key_pem);
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return {};
  try {
    const std::string header = base64url_decode(token.substr(0, first));
    if (header.find("\"RS256\"") == std::string::npos) return {};
    const std::string sig = base64url_decode(token.substr(second + 1));
    const std::string_view input = token.substr(0, second);
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      return {};
    }
    return base64url_decode(token.substr(first + 1, second - first - 1));
  } catch (const ConfigError&) {
    return {};
  }
}

}  // namespace freshguard::net
