// TLS modes and authentication against the real server, whose certificate is signed by a CA
// that scripts/pg-test-server.sh generated (names: localhost, 127.0.0.1).

#include <gtest/gtest.h>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>

#include "support/pg_test_server.hpp"

namespace freshguard {
namespace {

using testing::PgTest;

class PostgresTlsTest : public PgTest {
 protected:
  // Whether this test's (only) session uses TLS, per the server.
  std::string session_ssl() {
    return admin_->scalar(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid "
        "WHERE a.application_name = '" +
        app_ + "'");
  }

  // The error of test_connection() with `o`; fails the test when it connects.
  static ConnectionError connect_error(const PostgresOptions& o) {
    PostgresConnector pg(o);
    try {
      pg.test_connection();
    } catch (const ConnectionError& e) {
      return e;
    }
    ADD_FAILURE() << "connected";
    return ConnectionError("connected");
  }
};

TEST_F(PostgresTlsTest, VerifyFullWithTheRightCaAndHost) {
  auto o = options();
  ASSERT_EQ(o.ssl, net::SslMode::kVerifyFull);
  PostgresConnector pg(o);
  pg.test_connection();
  EXPECT_EQ(session_ssl(), "t");
}

TEST_F(PostgresTlsTest, VerifyFullByIpAddressInTheCertificate) {
  auto o = options();
  o.host = "127.0.0.1";
  PostgresConnector pg(o);
  pg.test_connection();
  EXPECT_EQ(session_ssl(), "t");
}

TEST_F(PostgresTlsTest, VerifyFullWithTheWrongCaFails) {
  auto o = options();
  o.ssl_root_cert = server_->wrong_ca;
  const auto e = connect_error(o);
  EXPECT_EQ(e.code(), ErrorCode::kConnectionFailed);
  EXPECT_FALSE(e.transient());
  EXPECT_STREQ(e.what(),
               "cannot connect to source \"pgtest\": TLS verification failed: the server "
               "certificate is not signed by a trusted CA (check ssl_root_cert)");
  EXPECT_NE(e.detail().find("certificate verify failed"), std::string::npos);
}

TEST_F(PostgresTlsTest, DefaultTrustStoreDoesNotTrustAPrivateCa) {
  auto o = options();
  o.ssl_root_cert.clear();  // the system bundle does not hold the test CA
  const auto e = connect_error(o);
  EXPECT_FALSE(e.transient());
  EXPECT_NE(std::string(e.what()).find("TLS verification"), std::string::npos) << e.what();
}

TEST_F(PostgresTlsTest, MissingRootCertFile) {
  auto o = options();
  o.ssl_root_cert = "/nonexistent/ca.crt";
  const auto e = connect_error(o);
  EXPECT_FALSE(e.transient());
  EXPECT_NE(std::string(e.what()).find("readable CA certificate file"), std::string::npos)
      << e.what();
  EXPECT_EQ(std::string(e.what()).find("/nonexistent"), std::string::npos);
}

TEST_F(PostgresTlsTest, HostNameMismatchFailsVerifyFullButNotVerifyCa) {
  if (server_->alt_host.empty()) GTEST_SKIP() << "the server does not listen on 127.0.0.2";
  auto o = options();
  o.host = server_->alt_host;  // same server, a name its certificate does not carry
  const auto e = connect_error(o);
  EXPECT_FALSE(e.transient());
  EXPECT_NE(std::string(e.what()).find("does not match the host name"), std::string::npos)
      << e.what();
  o.ssl = net::SslMode::kVerifyCa;
  PostgresConnector pg(o);
  pg.test_connection();
  EXPECT_EQ(session_ssl(), "t");
}

TEST_F(PostgresTlsTest, RequireEncryptsWithoutVerifying) {
  auto o = options();
  o.ssl = net::SslMode::kRequire;
  o.ssl_root_cert.clear();
  PostgresConnector pg(o);
  pg.test_connection();
  EXPECT_EQ(session_ssl(), "t");
}

TEST_F(PostgresTlsTest, DisableMustBeExplicitAndIsPlainText) {
  auto o = options();
  o.ssl = net::SslMode::kDisable;
  PostgresConnector pg(o);
  pg.test_connection();
  EXPECT_EQ(session_ssl(), "f");
}

TEST_F(PostgresTlsTest, BadPasswordIsANonTransientAuthenticationFailure) {
  auto o = options();
  o.password = "not-the-password-1234";
  const auto e = connect_error(o);
  EXPECT_FALSE(e.transient());
  EXPECT_STREQ(e.what(), "authentication failed for source \"pgtest\" (SQLSTATE 28P01)");
  EXPECT_EQ(std::string(e.what()).find("not-the-password"), std::string::npos);
  EXPECT_EQ(e.detail().find("not-the-password"), std::string::npos);
}

TEST_F(PostgresTlsTest, UnknownDatabaseAndRefusedPort) {
  auto o = options();
  o.database = "no_such_db";
  auto e = connect_error(o);
  EXPECT_FALSE(e.transient());
  EXPECT_STREQ(e.what(), "the database of source \"pgtest\" does not exist (SQLSTATE 3D000)");
  o = options();
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there
  e = connect_error(o);
  EXPECT_TRUE(e.transient());
  EXPECT_STREQ(e.what(), "cannot connect to source \"pgtest\": connection refused");
}

}  // namespace
}  // namespace freshguard
