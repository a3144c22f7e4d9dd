#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/identifier.hpp>

namespace freshguard::sql {
namespace {

// The plan's hostile names and the classic injection shapes.
const std::vector<std::string> kHostile = {
    "users; DROP TABLE users; --",
    "users; DROP TABLE users;",
    "user data",
    "users--",
    "users/**/UNION/**/SELECT",
    "a/**/b",
    "x' OR '1'='1",
    "\" OR 1=1 --",
    "users%3B%20DROP",
    "users\\u003bDROP",
    "pg_sleep(10)",
    "users`",
    "users\nDROP",
    std::string("users\0x", 7),
    "t\xc3\xa9st",  // non-ASCII letters are not accepted either
    "1users",
    "",
};

TEST(IdentifierTest, AcceptsPlainNames) {
  for (const char* ok : {"users", "updated_at", "_private", "user_inserts_log", "Orders2", "select",
                         "DROP_TABLE_LOG", "a"}) {
    EXPECT_EQ(Identifier::parse(ok).str(), ok);
    EXPECT_FALSE(identifier_problem(ok).has_value()) << ok;
  }
}

TEST(IdentifierTest, RejectsHostileNamesWithoutEchoingThem) {
  for (const auto& bad : kHostile) {
    try {
      (void)Identifier::parse(bad, "table name");
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const SecurityError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(e.code(), ErrorCode::kSecurityViolation);
      EXPECT_NE(msg.find("invalid table name"), std::string::npos) << msg;
      if (bad.size() > 3) {
        EXPECT_EQ(msg.find(bad), std::string::npos) << "message echoes payload: " << msg;
      }
      EXPECT_EQ(msg.find("DROP"), std::string::npos) << msg;
    }
    EXPECT_FALSE(Identifier::try_parse(bad).has_value()) << bad;
  }
}

TEST(IdentifierTest, ExplainsTheProblem) {
  EXPECT_EQ(identifier_problem(""), "must not be empty");
  EXPECT_EQ(identifier_problem("1abc"), "must not start with a digit");
  EXPECT_EQ(identifier_problem("-abc"), "must start with a letter or underscore, found '-'");
  EXPECT_EQ(identifier_problem("users; DROP"),
            "contains ';' at position 6; only letters, digits and underscores are allowed");
  EXPECT_EQ(identifier_problem("user data"),
            "contains a space at position 5; only letters, digits and underscores are allowed");
  EXPECT_EQ(identifier_problem(std::string("a\nb")),
            "contains byte 0x0A at position 2; only letters, digits and underscores are "
            "allowed");
  const std::string long_name(kMaxIdentifierLength + 1, 'a');
  EXPECT_EQ(identifier_problem(long_name), "is 129 characters long; the limit is 128");
  EXPECT_FALSE(identifier_problem(std::string(kMaxIdentifierLength, 'a')).has_value());
}

TEST(QualifiedNameTest, ParsesOneOrTwoParts) {
  const auto plain = QualifiedName::parse("users");
  EXPECT_FALSE(plain.schema.has_value());
  EXPECT_EQ(plain.name.str(), "users");
  EXPECT_EQ(plain.display(), "users");

  const auto qualified = QualifiedName::parse("public.users");
  ASSERT_TRUE(qualified.schema.has_value());
  EXPECT_EQ(qualified.schema->str(), "public");
  EXPECT_EQ(qualified.name.str(), "users");
  EXPECT_EQ(qualified.display(), "public.users");
  EXPECT_EQ(qualified, QualifiedName::parse("public.users"));
}

TEST(QualifiedNameTest, RejectsBadShapes) {
  for (const char* bad :
       {"a.b.c", ".users", "public.", ".", "public.users; DROP", "pub lic.users"}) {
    EXPECT_THROW(QualifiedName::parse(bad), SecurityError) << bad;
  }
  try {
    (void)QualifiedName::parse("a.b.c");
  } catch (const SecurityError& e) {
    EXPECT_NE(std::string(e.what()).find("too many parts"), std::string::npos);
  }
}

TEST(DialectTest, QuotesPerDialect) {
  const auto id = Identifier::parse("Orders");
  const auto qn = QualifiedName::parse("Sales.Orders");
  EXPECT_EQ(Dialect(DialectKind::kSqlite).quote(id), "\"Orders\"");
  EXPECT_EQ(Dialect(DialectKind::kPostgres).quote(qn), "\"Sales\".\"Orders\"");
  EXPECT_EQ(Dialect(DialectKind::kDuckdb).quote(id), "\"Orders\"");
  EXPECT_EQ(Dialect(DialectKind::kSnowflake).quote(id), "\"Orders\"");
  EXPECT_EQ(Dialect(DialectKind::kMysql).quote(qn), "`Sales`.`Orders`");
  EXPECT_EQ(Dialect(DialectKind::kBigquery).quote(id), "`Orders`");
  EXPECT_EQ(Dialect(DialectKind::kPostgres).quote(QualifiedName::parse("t")), "\"t\"");
}

TEST(DialectTest, Names) {
  EXPECT_EQ(Dialect(DialectKind::kSqlite).name(), "sqlite");
  EXPECT_EQ(Dialect(DialectKind::kPostgres).name(), "postgres");
  EXPECT_EQ(Dialect(DialectKind::kMysql).name(), "mysql");
  EXPECT_EQ(Dialect(DialectKind::kDuckdb).name(), "duckdb");
  EXPECT_EQ(Dialect(DialectKind::kBigquery).name(), "bigquery");
  EXPECT_EQ(Dialect(DialectKind::kSnowflake).name(), "snowflake");
  EXPECT_EQ(Dialect(DialectKind::kMysql).kind(), DialectKind::kMysql);
}

}  // namespace
}  // namespace freshguard::sql
