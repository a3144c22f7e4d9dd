// Fuzz target: the filter parser and renderer. Any text is rejected with a SecurityError or
// becomes a tree, and for an accepted filter:
// - round trip: the PostgreSQL rendering parses back to a tree that renders the same;
// - every dialect renders it (or says the construct is not supported there, a QueryError);
// - SQLite, at hand in-process, prepares the SQLite rendering as exactly one statement with
//   no bind parameter and nothing after it (the outside attack's `$a$` and `;` bypasses), and
//   reads no table but the rule's.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include <sqlite3.h>

#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>

namespace {

using freshguard::sql::Dialect;
using freshguard::sql::DialectKind;

// 1 when SQLite reads `table` (any table other than t is a failure of the renderer).
int authorize(void* /*unused*/, int action, const char* a, const char* /*b*/, const char* /*db*/,
              const char* /*view*/) {
  if (action == SQLITE_READ && a != nullptr && std::string(a) != "t") return SQLITE_DENY;
  if (action == SQLITE_SELECT || action == SQLITE_READ || action == SQLITE_FUNCTION)
    return SQLITE_OK;
  return SQLITE_DENY;
}

void check_on_sqlite(freshguard::sql::Expr tree) {
  std::set<std::string> columns;
  freshguard::sql::for_each_column(
      tree, [&](const freshguard::sql::Identifier& c) { columns.insert(c.str()); });
  std::string ddl = "CREATE TABLE t(_fg";
  for (const auto& c : columns)
    ddl += ", \"" + c + "\"";
  ddl += ")";
  std::string text;
  try {
    text = "SELECT count(*) FROM t WHERE " +
           freshguard::sql::render(tree, Dialect(DialectKind::kSqlite));
  } catch (const freshguard::QueryError&) {
    return;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) std::abort();
  if (sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) std::abort();
  sqlite3_set_authorizer(db, authorize, nullptr);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, text.c_str(), static_cast<int>(text.size()), &stmt, &tail);
  if (rc == SQLITE_OK) {
    if (stmt == nullptr || sqlite3_bind_parameter_count(stmt) != 0) std::abort();
    if (tail == nullptr || *tail != '\0') std::abort();
  } else if (rc == SQLITE_AUTH) {
    std::abort();  // the rendering read another table or did something else than SELECT
  }
  // Other errors (an unknown function in this SQLite build, type rules) are the engine's
  // verdict on a valid, single, parameter-free statement.
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  freshguard::sql::Expr tree;
  try {
    tree = freshguard::security::parse_filter(text);
  } catch (const freshguard::SecurityError&) {
    return 0;
  }
  const Dialect pg(DialectKind::kPostgres);
  const std::string pg_text = freshguard::sql::render(tree, pg);
  try {
    const auto again = freshguard::security::parse_filter(pg_text);
    const std::string again_text = freshguard::sql::render(again, pg);
    if (again_text != pg_text) {
      std::fprintf(stderr, "round trip differs:\n  %s\n  %s\n", pg_text.c_str(),
                   again_text.c_str());
      std::abort();
    }
  } catch (const freshguard::SecurityError& e) {
    // What we render must be what we accept, unless the rendering outgrew a size bound
    // (parentheses, IS TRUE spelled as COALESCE).
    const std::string why = e.what();
    if (why.find("longer than") == std::string::npos &&
        why.find("more than") == std::string::npos &&
        why.find("nests deeper") == std::string::npos) {
      std::abort();
    }
  }
  for (const auto kind : {DialectKind::kSqlite, DialectKind::kMysql, DialectKind::kDuckdb,
                          DialectKind::kBigquery, DialectKind::kSnowflake}) {
    try {
      (void)freshguard::sql::render(tree, Dialect(kind));
    } catch (const freshguard::QueryError&) {
    }
  }
  check_on_sqlite(std::move(tree));
  return 0;
}
