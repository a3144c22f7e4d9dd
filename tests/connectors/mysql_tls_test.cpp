// TLS modes against the real MariaDB server, whose certificate (signed by a CA the test
// script made) names only `localhost`; 127.0.0.1 is the same server under another name.

#include <gtest/gtest.h>

#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/core/error.hpp>

#include "connectors/mysql/mysql_config.hpp"
#include "connectors/mysql/mysql_session.hpp"
#include "support/mysql_test_server.hpp"

namespace freshguard {
namespace {

using net::SslMode;
using std::chrono::milliseconds;
using testing::MysqlTest;

class MysqlTlsTest : public MysqlTest {
 protected:
  MysqlOptions with(SslMode mode, const std::string& ca, const std::string& host) const {
    auto o = options();
    o.ssl = mode;
    o.ssl_root_cert = ca;
    o.host = host;
    return o;
  }

  // The cipher of a session opened with `o` ("" without TLS).
  static std::string cipher(const MysqlOptions& o) {
    const auto config = mysql::session_config(o, SystemClock::instance());
    const auto d = mysql::Deadline::after(SystemClock::instance(), milliseconds(5000));
    auto s = mysql::Session::open(config, d);
    return s->query("SHOW SESSION STATUS LIKE 'Ssl_cipher'", {}, d).rows.at(0).at(1).value_or("");
  }

  static void expect_tls_failure(const MysqlOptions& o, const std::string& why) {
    try {
      MysqlConnector(o).test_connection();
      FAIL() << "connected: " << why;
    } catch (const ConnectionError& e) {
      EXPECT_EQ(e.code(), ErrorCode::kConnectionFailed) << why;
      EXPECT_FALSE(e.transient()) << why;
      EXPECT_NE(std::string(e.what()).find("TLS"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find(o.host), std::string::npos) << e.what();
    }
  }
};

TEST_F(MysqlTlsTest, VerifyFullAcceptsTheRightCaAndHost) {
  const auto o = with(SslMode::kVerifyFull, server_->ca, server_->host);
  MysqlConnector(o).test_connection();
  EXPECT_FALSE(cipher(o).empty());
}

TEST_F(MysqlTlsTest, VerifyFullRefusesAWrongCa) {
  expect_tls_failure(with(SslMode::kVerifyFull, server_->wrong_ca, server_->host), "wrong CA");
}

TEST_F(MysqlTlsTest, VerifyFullRefusesAHostTheCertificateDoesNotName) {
  expect_tls_failure(with(SslMode::kVerifyFull, server_->ca, server_->alt_host), "wrong name");
}

TEST_F(MysqlTlsTest, VerifyFullWithoutRootCertUsesTheSystemBundle) {
  // The test CA is not among the system's trusted CAs.
  expect_tls_failure(with(SslMode::kVerifyFull, "", server_->host), "untrusted CA");
}

TEST_F(MysqlTlsTest, VerifyCaChecksTheChainButNotTheName) {
  MysqlConnector(with(SslMode::kVerifyCa, server_->ca, server_->alt_host)).test_connection();
  expect_tls_failure(with(SslMode::kVerifyCa, server_->wrong_ca, server_->alt_host), "wrong CA");
}

TEST_F(MysqlTlsTest, RequireEncryptsWithoutVerifyingDisableDoesNotEncrypt) {
  EXPECT_FALSE(cipher(with(SslMode::kRequire, "", server_->alt_host)).empty());
  EXPECT_EQ(cipher(with(SslMode::kDisable, "", server_->host)), "");
}

TEST_F(MysqlTlsTest, VerificationWithoutAnyCaIsRefusedNotSkipped) {
  auto config = mysql::session_config(options(), SystemClock::instance());
  config.ssl_ca.clear();  // as on a machine without the system CA bundle
  try {
    mysql::Session::open(config,
                         mysql::Deadline::after(SystemClock::instance(), milliseconds(5000)));
    FAIL() << "connected without a CA to verify against";
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("needs a CA certificate"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace freshguard
