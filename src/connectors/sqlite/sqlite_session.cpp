#include "connectors/sqlite/sqlite_session.hpp"

#include <algorithm>
#include <limits>

#include <freshguard/core/error.hpp>

#include "connectors/common/database_file.hpp"

namespace freshguard::sqlite {
namespace {

// Deadline state read by the progress handler while a statement runs.
struct DeadlineCtx {
  const Clock* clock;
  SteadyTime deadline;
};

int progress_check(void* arg) {
  const auto* ctx = static_cast<const DeadlineCtx*>(arg);
  return ctx->clock->steady_now() >= ctx->deadline ? 1 : 0;
}

// Virtual-machine steps between two deadline checks: ~tens of microseconds of work.
constexpr int kProgressSteps = 1000;

std::string where(const SqliteOptions& opts) {
  return "source \"" + opts.source_name + "\"";
}

// Stands in for a built-in SQL function that cannot be bounded (see apply_limits).
void refuse_function(sqlite3_context* ctx, int, sqlite3_value**) {
  sqlite3_result_error(ctx,
                       "printf() and format() are disabled on FreshGuard's SQLite connections "
                       "(a wide field such as %.*c runs uninterruptibly)",
                       -1);
}

void apply_limits(sqlite3* db, const SqliteOptions& opts) {
  // Bounds every string and blob SQLite builds (randomblob, zeroblob, printf, replace,
  // group_concat, ...): one is refused with SQLITE_TOOBIG before it is allocated.
  const std::int64_t max_int = std::numeric_limits<int>::max();
  const int max_value =
      static_cast<int>(std::clamp<std::int64_t>(opts.max_value_bytes, 1, max_int));
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, max_value);
  // ATTACH would open a second file that never went through check_database_file (a FIFO
  // blocks, a device is read): no statement of ours attaches, so none may.
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  // printf('%.*c', 1000000000, 'x') stays under the length limit (its output is dropped)
  // but loops a billion times inside one VM step, where neither the progress handler nor
  // sqlite3_interrupt reaches it. No statement of ours formats text, so the connection's
  // own definitions (which take precedence over the built-ins) refuse them.
  for (const char* name : {"printf", "format"}) {
    sqlite3_create_function_v2(db, name, -1, SQLITE_UTF8, nullptr, &refuse_function, nullptr,
                               nullptr, nullptr);
  }
}

}  // namespace

DbHandle open_database(const SqliteOptions& opts) {
  const std::string path = opts.path.string();
  connectors::check_database_file("SQLite", opts.source_name, path);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    std::string detail = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw ConnectionError("cannot open SQLite database for " + where(opts), false, detail);
  }
  apply_limits(db.get(), opts);
  sqlite3_busy_timeout(db.get(), static_cast<int>(opts.timeout.count()));
  // Double-quoted names must never silently become string literals ("nope" would compare
  // as text instead of failing as an unknown column).
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  // Reading the schema proves the file is a database now rather than at the first check.
  const int check =
      sqlite3_exec(db.get(), "PRAGMA query_only = 1; SELECT count(*) FROM sqlite_schema", nullptr,
                   nullptr, nullptr);
  if (check != SQLITE_OK) throw_error(db.get(), check, "open", opts, opts.timeout);
  return db;
}

void execute(sqlite3* db, const SqliteOptions& opts, const Clock& clock,
             std::chrono::milliseconds timeout, const std::string& sql, const Binds& binds,
             const RowFn& on_row) {
  DeadlineCtx ctx{&clock, clock.steady_now() + timeout};
  sqlite3_progress_handler(db, kProgressSteps, &progress_check, &ctx);
  struct Reset {
    sqlite3* db;
    ~Reset() { sqlite3_progress_handler(db, 0, nullptr, nullptr); }
  } reset{db};
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtHandle stmt(raw);
  if (rc != SQLITE_OK) throw_error(db, rc, "prepare", opts, timeout);
  for (size_t i = 0; i < binds.size(); ++i) {
    sqlite3_bind_text(stmt.get(), static_cast<int>(i + 1), binds[i].data(),
                      static_cast<int>(binds[i].size()), SQLITE_TRANSIENT);
  }
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW)
    on_row(stmt.get());
  if (rc != SQLITE_DONE) throw_error(db, rc, "step", opts, timeout);
}

void throw_error(sqlite3* db, int rc, std::string_view what, const SqliteOptions& opts,
                 std::chrono::milliseconds timeout) {
  const std::string detail = std::string(what) + ": " + sqlite3_errmsg(db);
  switch (rc & 0xff) {
    case SQLITE_INTERRUPT:
      throw TimeoutError("query on " + where(opts) + " exceeded its deadline of " +
                             std::to_string(timeout.count()) + " ms",
                         detail);
    case SQLITE_TOOBIG:
      throw QueryError("query on " + where(opts) + " built a string or blob larger than " +
                           std::to_string(opts.max_value_bytes) +
                           " bytes; raise the source's max_value_mb if such values are expected",
                       false, detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw QueryError("database of " + where(opts) + " is locked", true, detail);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      throw ConnectionError("file of " + where(opts) + " is not a usable SQLite database", false,
                            detail);
    default:
      throw QueryError("query failed on " + where(opts), false, detail);
  }
}

}  // namespace freshguard::sqlite
