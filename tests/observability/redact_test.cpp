#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/observability/redact.hpp>

namespace freshguard::obs {
namespace {

std::string redact(std::string_view text) {
  return Redactor().redact(text);
}

TEST(RedactorTest, ReplacesKnownSecretEverywhere) {
  Redactor r;
  r.add_secret("hunter2!");
  EXPECT_EQ(r.redact("pw hunter2! and again hunter2!"), "pw [REDACTED] and again [REDACTED]");
  EXPECT_EQ(r.redact("xhunter2!y"), "x[REDACTED]y");
  EXPECT_EQ(r.redact("hunter2 is not it"), "hunter2 is not it");
}

TEST(RedactorTest, IgnoresEmptyShortAndOrdinarySecrets) {
  Redactor r;
  r.add_secret("");
  r.add_secret("ab-1");       // shorter than 8
  r.add_secret("abcdefgh");   // letters only: a word
  r.add_secret("12345678");   // digits only: a number
  r.add_secret("two words");  // a phrase of words
  EXPECT_EQ(r.redact("ab-1 abcdefgh 12345678 two words"), "ab-1 abcdefgh 12345678 two words");
  r.add_secret("ab-12345");
  EXPECT_EQ(r.redact("ab-1 ab-12345"), "ab-1 [REDACTED]");
  // Long values (tokens, webhook URLs) are masked whatever they are made of.
  r.add_secret(std::string(32, 'q'));
  EXPECT_EQ(r.redact("<" + std::string(32, 'q') + ">"), "<[REDACTED]>");
}

// Masking an ordinary word wherever it appears would reveal it: "password [REDACTED]
// failed" says the password is "authentication". The output must not depend on the secret.
TEST(RedactorTest, AWordPasswordIsNotRevealedByWhereItIsMasked) {
  const std::string driver =
      "FATAL:  password authentication failed for user \"fg\"; connection to server at "
      "\"127.0.0.1\", port 5432 failed";
  Redactor word;
  word.add_secret("authentication");
  word.add_secret("Authentication");
  Redactor other;
  other.add_secret("Zq9-unrelated-Secret");
  EXPECT_EQ(word.redact(driver), other.redact(driver));
  EXPECT_EQ(word.redact(driver), driver);
  // The patterns still mask it where it is a value.
  EXPECT_EQ(word.redact("password=authentication host=db"), "password=[REDACTED] host=db");
  EXPECT_EQ(word.redact("postgres://fg:authentication@db/x"), "postgres://fg:[REDACTED]@db/x");
}

TEST(RedactorTest, LongestSecretWins) {
  Redactor r;
  r.add_secret("abc-1234");
  r.add_secret("abc-1234-xyz");
  r.add_secret("abc-1234-x");
  r.add_secret("abc-1234");  // a duplicate changes nothing
  EXPECT_EQ(r.redact("<abc-1234-xyz><abc-1234-xy><abc-1234>"),
            "<[REDACTED]><[REDACTED]y><[REDACTED]>");
}

TEST(RedactorTest, AddSecretWhileRedactingIsSafe) {
  Redactor r;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      const std::string out = r.redact("secret-0 secret-1 secret-2 secret-3");
      EXPECT_EQ(
          out.find("secret-") != std::string::npos || out.find("[REDACTED]") != std::string::npos,
          true);
    }
  });
  for (int i = 0; i < 200; ++i)
    r.add_secret("secret-" + std::to_string(i));
  stop.store(true);
  reader.join();
  EXPECT_EQ(r.redact("secret-0 secret-199"), "[REDACTED] [REDACTED]");
}

TEST(RedactorTest, MasksKeyEqualsValue) {
  EXPECT_EQ(redact("password=hunter2"), "password=[REDACTED]");
  EXPECT_EQ(redact("connect host=db password=hunter2 user=bob"),
            "connect host=db password=[REDACTED] user=bob");
  EXPECT_EQ(redact("?user=bob&token=abc123&db=x"), "?user=bob&token=[REDACTED]&db=x");
  EXPECT_EQ(redact("pwd=a1;port=5"), "pwd=[REDACTED];port=5");
  EXPECT_EQ(redact("secret=a1,b=2"), "secret=[REDACTED],b=2");
  EXPECT_EQ(redact("password = hunter2"), "password = [REDACTED]");
  EXPECT_EQ(redact("--password=hunter2"), "--password=[REDACTED]");
}

TEST(RedactorTest, MasksKeyColonValue) {
  EXPECT_EQ(redact("password: hunter2 next"), "password: [REDACTED] next");
  EXPECT_EQ(redact("api_key:abc123"), "api_key:[REDACTED]");
  EXPECT_EQ(redact("token:\tabc"), "token:\t[REDACTED]");
}

TEST(RedactorTest, MasksJsonValues) {
  EXPECT_EQ(redact(R"({"password": "hunter 2", "user": "bob"})"),
            R"({"password": "[REDACTED]", "user": "bob"})");
  EXPECT_EQ(redact(R"({"token":"a\"b","n":1})"), R"({"token":"[REDACTED]","n":1})");
  EXPECT_EQ(redact(R"({"secret" : "x y z"})"), R"({"secret" : "[REDACTED]"})");
  // JSON that was itself escaped into a string.
  EXPECT_EQ(redact(R"({\"password\":\"hunter2\",\"u\":\"bob\"})"),
            R"({\"password\":\"[REDACTED]\",\"u\":\"bob\"})");
}

TEST(RedactorTest, MasksQuotedValues) {
  EXPECT_EQ(redact("password='hunter 2' user='bob'"), "password='[REDACTED]' user='bob'");
  EXPECT_EQ(redact("password=\"hunter2\""), "password=\"[REDACTED]\"");
  // Without a closing quote the value runs to the end of the line.
  EXPECT_EQ(redact("password='hunter 2 and more\nnext line"), "password='[REDACTED]\nnext line");
  EXPECT_EQ(redact("password='abc\\"), "password='[REDACTED]");
}

TEST(RedactorTest, KeysAreCaseBlind) {
  EXPECT_EQ(redact("PASSWORD=x1"), "PASSWORD=[REDACTED]");
  EXPECT_EQ(redact("Db_Password=x1"), "Db_Password=[REDACTED]");
  EXPECT_EQ(redact("X-Api-Key: abc"), "X-Api-Key: [REDACTED]");
  EXPECT_EQ(redact("aws.Secret_Access_Key=abc"), "aws.Secret_Access_Key=[REDACTED]");
}

TEST(RedactorTest, LeavesEmptyAndStructuredValues) {
  EXPECT_EQ(redact("password="), "password=");
  EXPECT_EQ(redact("password=   "), "password=   ");
  EXPECT_EQ(redact("password=\nnext"), "password=\nnext");
  EXPECT_EQ(redact(R"({"credentials": {"user": "bob", "password": "pw1"}})"),
            R"({"credentials": {"user": "bob", "password": "[REDACTED]"}})");
  EXPECT_EQ(redact(R"({"token": ["a"]})"), R"({"token": ["a"]})");
  EXPECT_EQ(redact(R"({"password": ""})"), R"({"password": ""})");
}

TEST(RedactorTest, KeepsAuthorizationScheme) {
  EXPECT_EQ(redact("Authorization: Basic dXNlcjpwYXNz"), "Authorization: Basic [REDACTED]");
  EXPECT_EQ(redact(R"({"authorization": "Token abc def"})"),
            R"({"authorization": "Token [REDACTED]"})");
  EXPECT_EQ(redact("authorization=Basic"), "authorization=[REDACTED]");
}

TEST(RedactorTest, MasksBearerTokens) {
  EXPECT_EQ(redact("Authorization: Bearer abc.def.ghi"), "Authorization: Bearer [REDACTED]");
  EXPECT_EQ(redact("curl -H 'Bearer eyJhbGciOi.x_y-z'"), "curl -H 'Bearer [REDACTED]'");
  EXPECT_EQ(redact("bearer   abc123 rest"), "bearer   [REDACTED] rest");
  EXPECT_EQ(redact("BEARER abc, Bearer def"), "BEARER [REDACTED], Bearer [REDACTED]");
  EXPECT_EQ(redact(R"({"authorization": "Bearer xyz"})"),
            R"({"authorization": "Bearer [REDACTED]"})");
}

TEST(RedactorTest, BearerNeedsAWordAndAToken) {
  EXPECT_EQ(redact("Bearer"), "Bearer");
  EXPECT_EQ(redact("Bearer "), "Bearer ");
  EXPECT_EQ(redact("Bearer\nabc"), "Bearer\nabc");
  EXPECT_EQ(redact("xBearer abc"), "xBearer abc");
  EXPECT_EQ(redact("Bearerish abc"), "Bearerish abc");
  EXPECT_EQ(redact("missing bearer token in request"), "missing bearer token in request");
}

TEST(RedactorTest, MasksUrlPasswords) {
  EXPECT_EQ(redact("postgres://alice:s3cret@db.example.com:5432/app"),
            "postgres://alice:[REDACTED]@db.example.com:5432/app");
  EXPECT_EQ(redact("a mysql://bob:pw@h1 and amqp://u:p@h2/vhost"),
            "a mysql://bob:[REDACTED]@h1 and amqp://u:[REDACTED]@h2/vhost");
  EXPECT_EQ(redact("\"redis://:pass@cache:6379\""), "\"redis://:[REDACTED]@cache:6379\"");
  // A raw @ in the password: the last @ of the authority ends it.
  EXPECT_EQ(redact("postgres://u:p@ss@host/db"), "postgres://u:[REDACTED]@host/db");
}

TEST(RedactorTest, LeavesUrlsWithoutPasswords) {
  EXPECT_EQ(redact("https://ghp_token@github.com/org/repo"),
            "https://ghp_token@github.com/org/repo");
  EXPECT_EQ(redact("mysql://bob:@host/db"), "mysql://bob:@host/db");
  EXPECT_EQ(redact("https://example.com:8443/a:b@c?x=1#f"), "https://example.com:8443/a:b@c?x=1#f");
  EXPECT_EQ(redact("see <https://example.com> or ://"), "see <https://example.com> or ://");
}

TEST(RedactorTest, MasksPrivateKeyBlocks) {
  const std::string pem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nqwerty==\n-----END RSA PRIVATE "
      "KEY-----";
  EXPECT_EQ(redact("key follows\n" + pem + "\nafter"), "key follows\n[REDACTED]\nafter");
  EXPECT_EQ(redact("-----BEGIN PRIVATE KEY-----abc-----END PRIVATE KEY-----"), "[REDACTED]");
  EXPECT_EQ(redact("a -----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"), "a [REDACTED]");
  EXPECT_EQ(redact("a -----BEGIN PRIVATE KEY-----\nabc -----END PRIVATE KEY"), "a [REDACTED]");
}

TEST(RedactorTest, LeavesCertificatesAndBrokenMarkers) {
  const std::string cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  EXPECT_EQ(redact(cert), cert);
  EXPECT_EQ(redact("-----BEGIN PRIVATE KEY"), "-----BEGIN PRIVATE KEY");
  EXPECT_EQ(redact("-----BEGIN X\nPRIVATE KEY-----"), "-----BEGIN X\nPRIVATE KEY-----");
}

TEST(RedactorTest, NoFalsePositivesOnOrdinaryText) {
  // A secret-looking word is only a key when it ends the key: `password_policy_enabled` is a
  // setting, not a password.
  for (const std::string text :
       {"tokenizer=bpe", "password_policy_enabled=true", "token_count=5", "secretary: Ann",
        "the secretary said: hi", "please enter your password", "time 12:30:45 a=b c:d",
        "https://example.com/path?q=1&page=2", "PGPASSWORD=x", "rows=10, lag=5m",
        "check.finished table=orders", "", "::==::", "bytes \xff\xfe=\x01"}) {
    EXPECT_EQ(redact(text), text);
  }
}

TEST(RedactorTest, RedactingTwiceChangesNothing) {
  Redactor r;
  r.add_secret("s3cr3t-value");
  const std::string text =
      "u=bob password=hunter2 {\"token\": \"a b\"} Bearer xyz postgres://u:pw@h/db "
      "s3cr3t-value -----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY----- "
      "Authorization: Basic Zm9v";
  const std::string once = r.redact(text);
  EXPECT_EQ(once,
            "u=bob password=[REDACTED] {\"token\": \"[REDACTED]\"} Bearer [REDACTED] "
            "postgres://u:[REDACTED]@h/db [REDACTED] [REDACTED] Authorization: Basic "
            "[REDACTED]");
  EXPECT_EQ(r.redact(once), once);
}

TEST(RedactorTest, LongInputIsHandled) {
  std::string text(200000, 'a');
  text += " password=hunter2";
  const std::string out = redact(text);
  EXPECT_EQ(out.substr(out.size() - 20), " password=[REDACTED]");
  const std::string many_separators(100000, '=');
  EXPECT_EQ(redact(many_separators), many_separators);
}

TEST(RedactorTest, IsSecretKey) {
  for (const char* key : {"password",
                          "passwd",
                          "pwd",
                          "secret",
                          "token",
                          "api_key",
                          "apikey",
                          "access_key",
                          "private_key",
                          "authorization",
                          "auth_token",
                          "credentials",
                          "routing_key",
                          "client_secret",
                          "refresh_token",
                          "passphrase",
                          "secret_key",
                          "PASSWORD",
                          "db_password",
                          "db-password",
                          "db.password",
                          "MYSQL_PWD",
                          "x-api-key",
                          "Proxy-Authorization",
                          "aws_secret_access_key",
                          "session.token",
                          "--token"}) {
    EXPECT_TRUE(Redactor::is_secret_key(key)) << key;
  }
  for (const char* key :
       {"", "user", "host", "tokenizer", "token_count", "password_policy_enabled", "pgpassword",
        "secretary", "apikeys", "key", "routing", "passwords", "my token"}) {
    EXPECT_FALSE(Redactor::is_secret_key(key)) << key;
  }
  EXPECT_FALSE(Redactor::is_secret_key(std::string(200, 'a') + "_password"));
}

}  // namespace
}  // namespace freshguard::obs
