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

namespace freshguard::sql {
namespace {

std::string table_problem(const Dialect& d, const std::string& text) {
  try {
    (void)d.parse_table(text);
    return "";
  } catch (const SecurityError& e) {
    return e.what();
  }
}

TEST(DialectRulesTest, LengthLimitsPerDialect) {
  const Dialect pg(DialectKind::kPostgres);
  const Dialect my(DialectKind::kMysql);
  const Dialect lite(DialectKind::kSqlite);
  EXPECT_EQ(pg.max_identifier_length(), 63u);
  EXPECT_EQ(my.max_identifier_length(), 64u);
  EXPECT_EQ(lite.max_identifier_length(), kMaxIdentifierLength);
  EXPECT_EQ(Dialect(DialectKind::kSnowflake).max_identifier_length(), kMaxIdentifierLength);
  const std::string n63(63, 'a');
  const std::string n64(64, 'b');
  const std::string n65(65, 'c');
  EXPECT_EQ(table_problem(pg, n63), "");
  EXPECT_EQ(table_problem(pg, "public." + n63), "");
  EXPECT_EQ(table_problem(pg, n64),
            "invalid table name: is 64 characters long; the postgres limit is 63");
  EXPECT_EQ(table_problem(pg, n64 + ".t"),
            "invalid table name (schema part): is 64 characters long; the postgres limit is 63");
  EXPECT_EQ(table_problem(my, n64), "");
  EXPECT_EQ(table_problem(my, n65),
            "invalid table name: is 65 characters long; the mysql limit is 64");
  EXPECT_EQ(table_problem(lite, n65), "");
  EXPECT_THROW(pg.check(Identifier::parse(n64), "column name"), SecurityError);
  EXPECT_NO_THROW(my.check(Identifier::parse(n64), "column name"));
}

TEST(DialectRulesTest, BigqueryProjectIdsWithHyphens) {
  const Dialect bq(DialectKind::kBigquery);
  const auto ref = bq.parse_table("my-project-123.analytics.events");
  EXPECT_EQ(ref.project, "my-project-123");
  EXPECT_EQ(ref.name.display(), "analytics.events");
  EXPECT_EQ(ref.display(), "my-project-123.analytics.events");
  EXPECT_EQ(bq.quote(ref), "`my-project-123`.`analytics`.`events`");
  EXPECT_EQ(bq.parse_table("analytics.events").project, "");
  EXPECT_EQ(bq.parse_table("events").display(), "events");
  // Only the project part may hold hyphens, and only as a project id is spelled.
  EXPECT_NE(table_problem(bq, "my-project.ana-lytics.events"), "");
  EXPECT_NE(table_problem(bq, "Project-1.analytics.events"), "");  // upper case
  EXPECT_NE(table_problem(bq, "proj.analytics.events"), "");       // too short
  EXPECT_NE(table_problem(bq, "my-project-.analytics.events"), "");
  EXPECT_NE(table_problem(bq, "1project.analytics.events"), "");
  EXPECT_NE(table_problem(bq, std::string(31, 'p') + ".analytics.events"), "");
  EXPECT_NE(table_problem(bq, "my-project.a.b.c"), "");
  EXPECT_EQ(table_problem(bq, "my_project.analytics.events"),
            "invalid table name (project part): only lower-case letters, digits and hyphens "
            "are allowed (position 3)");
  // Other dialects have no project part.
  EXPECT_NE(table_problem(Dialect(DialectKind::kPostgres), "my-project.analytics.events"), "");
  EXPECT_NE(table_problem(Dialect(DialectKind::kSnowflake), "db.schema.table"), "");
  EXPECT_EQ(Dialect(DialectKind::kPostgres).quote(TableRef{"", QualifiedName::parse("a.b")}),
            "\"a\".\"b\"");
  EXPECT_EQ(Dialect(DialectKind::kPostgres).quote(TableRef{"p", QualifiedName::parse("b")}),
            "\"p\".\"b\"");
}

TEST(DialectRulesTest, UnquotedFolding) {
  const auto id = Identifier::parse("Orders_2024");
  EXPECT_EQ(Dialect(DialectKind::kSnowflake).fold_unquoted(id).str(), "ORDERS_2024");
  EXPECT_EQ(Dialect(DialectKind::kPostgres).fold_unquoted(id).str(), "orders_2024");
  EXPECT_EQ(Dialect(DialectKind::kMysql).fold_unquoted(id).str(), "Orders_2024");
  EXPECT_EQ(Dialect(DialectKind::kDuckdb).fold_unquoted(id).str(), "Orders_2024");
}

TEST(DialectRulesTest, HostileNamesRejectedInEveryDialectWithoutEcho) {
  const std::vector<std::string> hostile = {
      "users; DROP TABLE users;",
      "user data",
      "users/**/UNION/**/SELECT",
      "users%3B%20DROP",
      "users\\u003bDROP",
      "x' OR '1'='1",
      "pg_sleep(10)",
      "a.b;c",
      "public.users; DROP TABLE users",
      "public..users",
      ".users",
      "users.",
      "my-project.ds.t; DROP",
      "`t`",
      "\"t\"",
  };
  for (auto kind : {DialectKind::kSqlite, DialectKind::kPostgres, DialectKind::kMysql,
                    DialectKind::kDuckdb, DialectKind::kBigquery, DialectKind::kSnowflake}) {
    const Dialect d(kind);
    for (const auto& bad : hostile) {
      const std::string msg = table_problem(d, bad);
      EXPECT_NE(msg, "") << d.name() << " accepted " << bad;
      EXPECT_EQ(msg.find(bad), std::string::npos) << msg;
      EXPECT_EQ(msg.find("DROP"), std::string::npos) << msg;
      EXPECT_EQ(msg.find("sleep"), std::string::npos) << msg;
    }
    for (const char* ok : {"public.users", "updated_at", "user_inserts_log", "drop_table_log"}) {
      EXPECT_EQ(table_problem(d, ok), "") << d.name() << " " << ok;
    }
  }
}

}  // namespace
}  // namespace freshguard::sql
