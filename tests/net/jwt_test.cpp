// base64url, RS256 JWT signing and verification, and the Snowflake-style key fingerprint.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <freshguard/core/error.hpp>
#include <freshguard/net/jwt.hpp>

#include "support/rest_test_support.hpp"

namespace freshguard::net {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLengthWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
  EXPECT_EQ(base64url_decode("Zg=="), "f");
  EXPECT_THROW(base64url_decode("Z+g"), ConfigError);
}

TEST(JwtTest, SignsAndVerifiesRs256) {
  const auto key = RsaPrivateKey::from_pem(testing::test_rsa_key_pem(0), "key");
  const std::string claims = R"({"iss":"a@b","exp":2})";
  const std::string token = make_jwt_rs256(claims, key);
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(base64url_decode(token.substr(0, token.find('.'))), R"({"alg":"RS256","typ":"JWT"})");
  EXPECT_EQ(verify_jwt_rs256(token, key.public_key_pem()), claims);
  // Tampered claims, another key, garbage: no claims.
  std::string tampered = token;
  tampered[token.find('.') + 2] = tampered[token.find('.') + 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify_jwt_rs256(tampered, key.public_key_pem()), "");
  const auto other = RsaPrivateKey::from_pem(testing::test_rsa_key_pem(1), "other");
  EXPECT_EQ(verify_jwt_rs256(token, other.public_key_pem()), "");
  EXPECT_EQ(verify_jwt_rs256("nodots", key.public_key_pem()), "");
  EXPECT_EQ(verify_jwt_rs256(token, "not a key"), "");
  EXPECT_EQ(verify_jwt_rs256("a.b.!!", key.public_key_pem()), "");
  const std::string hs = base64url_encode(R"({"alg":"HS256"})") + ".e30.c2ln";
  EXPECT_EQ(verify_jwt_rs256(hs, key.public_key_pem()), "");
}

TEST(JwtTest, FingerprintMatchesOpenssl) {
  testing::TempDir dir;
  const auto pem = dir.write("k.pem", testing::test_rsa_key_pem(0));
  const auto out = dir / "fp";
  testing::run_openssl("pkey -in " + testing::shell_quote(pem.string()) +
                       " -pubout -outform DER -out " +
                       testing::shell_quote((dir / "der").string()));
  testing::run_openssl("dgst -sha256 -binary -out " + testing::shell_quote(out.string()) + " " +
                       testing::shell_quote((dir / "der").string()));
  const std::string digest = testing::slurp(out);
  std::string expected = base64url_encode(digest);
  for (char& c : expected) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (expected.size() % 4 != 0)
    expected.push_back('=');
  const auto key = RsaPrivateKey::from_pem(testing::test_rsa_key_pem(0), "key");
  EXPECT_EQ(key.public_key_fingerprint(), "SHA256:" + expected);
}

TEST(JwtTest, RejectsKeysThatAreNotRsaWithoutEchoingThem) {
  try {
    (void)RsaPrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nsecretstuff\n", "key.pem");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("key.pem"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("secretstuff"), std::string::npos);
  }
  testing::TempDir dir;
  testing::run_openssl("genpkey -algorithm ED25519 -out " +
                       testing::shell_quote((dir / "ed.pem").string()));
  EXPECT_THROW(RsaPrivateKey::from_pem(testing::slurp(dir / "ed.pem"), "ed"), ConfigError);
  auto moved = RsaPrivateKey::from_pem(testing::test_rsa_key_pem(0), "key");
  RsaPrivateKey other = std::move(moved);
  EXPECT_FALSE(other.public_key_pem().empty());
}

}  // namespace
}  // namespace freshguard::net
