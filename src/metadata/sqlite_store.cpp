#include <limits>
#include <mutex>
#include <system_error>

#include <freshguard/metadata/sqlite_store.hpp>

#include "metadata/codec.hpp"
#include "metadata/migrations.hpp"
#include "metadata/sqlite_db.hpp"

namespace freshguard {
namespace {

using metadata_detail::from_micros;
using metadata_detail::Statement;
using metadata_detail::to_micros;
using metadata_detail::WriteTransaction;

constexpr std::int64_t kNoLowerBound = std::numeric_limits<std::int64_t>::min();

constexpr const char* kSelectExecutions =
    "SELECT id, rule_id, rule_type, source, table_name, status, severity, message, method, "
    "row_count, lag_seconds, last_update_us, deviation_percent, schema_changes, error_code, "
    "duration_us, checked_at_us FROM executions ";

ExecutionRecord read_execution(const Statement& s) {
  using namespace metadata_detail;
  ExecutionRecord e;
  e.id = s.int64(0);
  e.rule_id = s.text(1);
  e.type = parse_stored_type(s.text(2));
  e.source = s.text(3);
  e.table = s.text(4);
  e.status = parse_stored_status(s.text(5));
  e.severity = parse_stored_severity(s.text(6));
  e.message = s.text(7);
  if (!s.is_null(8)) e.method = parse_stored_method(s.text(8));
  e.row_count = s.opt_int64(9);
  e.lag_seconds = s.opt_int64(10);
  if (auto us = s.opt_int64(11)) e.last_update = from_micros(*us);
  e.deviation_percent = s.opt_real(12);
  e.schema_changes = s.opt_int64(13);
  if (!s.is_null(14)) e.error_code = parse_stored_error_code(s.text(14));
  e.duration = std::chrono::microseconds(s.int64(15));
  e.checked_at = from_micros(s.int64(16));
  return e;
}

std::optional<std::string_view> method_text(const std::optional<Method>& m) {
  if (!m) return std::nullopt;
  return to_string(*m);
}

}  // namespace

struct SqliteMetadataStore::Impl {
  SqliteStoreOptions opts;
  std::string where;  // the path, quoted, for messages
  std::mutex mu;
  metadata_detail::SqliteHandle db;

  explicit Impl(SqliteStoreOptions o)
      : opts(std::move(o)), where("\"" + opts.path.string() + "\"") {}

  const Clock& clock() const {
    return opts.clock != nullptr ? *opts.clock : SystemClock::instance();
  }

  void open() {
    std::error_code ec;
    if (!opts.create && !std::filesystem::exists(opts.path, ec)) {
      throw MetadataError("metadata database " + where + " does not exist");
    }
    const auto parent = opts.path.parent_path();
    if (opts.create && !parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        throw MetadataError("cannot create the folder of metadata database " + where + ": " +
                            ec.message());
      }
    }
    sqlite3* raw = nullptr;
    const int flags =
        SQLITE_OPEN_READWRITE | (opts.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    const int rc = sqlite3_open_v2(opts.path.c_str(), &raw, flags, nullptr);
    db.reset(raw);
    if (rc != SQLITE_OK) metadata_detail::throw_sqlite(db.get(), rc, "open", where);
    sqlite3_busy_timeout(db.get(), static_cast<int>(opts.busy_timeout.count()));
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
    sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
    // WAL: readers never block the writer; NORMAL sync is durable across crashes in WAL mode
    // (a power loss may lose the last transactions, never corrupt the file).
    metadata_detail::exec_sql(db.get(), "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
                              where);
    migrate();
  }

  int current_version() {
    Statement s(db.get(), "SELECT COALESCE(MAX(version), 0) FROM schema_version", where);
    s.step();
    return static_cast<int>(s.int64(0));
  }

  // Applies the pending migrations in one write transaction: two processes opening a new
  // file at once queue on the lock, and the second finds the work done.
  void migrate() {
    const auto all = metadata_detail::sqlite_migrations();
    const int target = opts.migrate_to > 0 ? opts.migrate_to : all.back().version;
    WriteTransaction tx(db.get(), where);
    metadata_detail::exec_sql(db.get(),
                              "CREATE TABLE IF NOT EXISTS schema_version ("
                              "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                              "applied_at_us INTEGER NOT NULL) STRICT",
                              where);
    const int current = current_version();
    if (current > all.back().version) {
      throw MetadataError("metadata database " + where + " has schema version " +
                          std::to_string(current) + ", newer than this FreshGuard knows (" +
                          std::to_string(all.back().version) + "); upgrade FreshGuard");
    }
    for (const auto& m : all) {
      if (m.version <= current || m.version > target) continue;
      metadata_detail::exec_sql(db.get(), m.sql, where);
      Statement s(db.get(),
                  "INSERT INTO schema_version (version, description, applied_at_us) "
                  "VALUES (?1, ?2, ?3)",
                  where);
      s.bind(1, std::int64_t{m.version})
          .bind(2, std::string_view(m.description))
          .bind(3, to_micros(clock().wall_now()))
          .run();
    }
    tx.commit();
  }

  void insert_execution(const CheckResult& r) {
    const ExecutionRecord e = metadata_detail::to_record(r);
    Statement s(db.get(),
                "INSERT INTO executions (rule_id, rule_type, source, table_name, status, "
                "severity, message, method, row_count, lag_seconds, last_update_us, "
                "deviation_percent, schema_changes, error_code, duration_us, checked_at_us) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                where);
    std::optional<std::int64_t> last_update;
    if (e.last_update) last_update = to_micros(*e.last_update);
    std::optional<std::string_view> error_code;
    if (e.error_code) error_code = to_string(*e.error_code);
    s.bind(1, std::string_view(e.rule_id))
        .bind(2, to_string(e.type))
        .bind(3, std::string_view(e.source))
        .bind(4, std::string_view(e.table))
        .bind(5, to_string(e.status))
        .bind(6, to_string(e.severity))
        .bind(7, std::string_view(e.message))
        .bind(8, method_text(e.method))
        .bind(9, e.row_count)
        .bind(10, e.lag_seconds)
        .bind(11, last_update)
        .bind(12, e.deviation_percent)
        .bind(13, e.schema_changes)
        .bind(14, error_code)
        .bind(15, std::int64_t{e.duration.count()})
        .bind(16, to_micros(e.checked_at))
        .run();
  }

  void write_baseline(const SchemaSnapshot& snap) {
    Statement del(db.get(), "DELETE FROM schema_baseline_columns WHERE rule_id = ?1", where);
    del.bind(1, std::string_view(snap.rule_id)).run();
    Statement head(db.get(),
                   "INSERT INTO schema_baselines (rule_id, table_name, captured_at_us) "
                   "VALUES (?1, ?2, ?3) ON CONFLICT (rule_id) DO UPDATE SET "
                   "table_name = excluded.table_name, captured_at_us = excluded.captured_at_us",
                   where);
    head.bind(1, std::string_view(snap.rule_id))
        .bind(2, std::string_view(snap.table))
        .bind(3, to_micros(snap.captured_at))
        .run();
    for (const auto& c : snap.columns) {
      Statement col(db.get(),
                    "INSERT INTO schema_baseline_columns (rule_id, position, name, type, "
                    "nullable) VALUES (?1, ?2, ?3, ?4, ?5)",
                    where);
      col.bind(1, std::string_view(snap.rule_id))
          .bind(2, std::int64_t{c.position})
          .bind(3, std::string_view(c.name))
          .bind(4, std::string_view(c.type))
          .bind(5, std::int64_t{c.nullable ? 1 : 0})
          .run();
    }
  }
};

SqliteMetadataStore::SqliteMetadataStore(SqliteStoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->open();
}

SqliteMetadataStore::~SqliteMetadataStore() = default;

int SqliteMetadataStore::schema_version() {
  std::lock_guard lock(impl_->mu);
  return impl_->current_version();
}

void SqliteMetadataStore::record_executions(std::span<const CheckResult> results) {
  std::lock_guard lock(impl_->mu);
  WriteTransaction tx(impl_->db.get(), impl_->where);
  for (const auto& r : results)
    impl_->insert_execution(r);
  tx.commit();
}

std::vector<ExecutionRecord> SqliteMetadataStore::history(const HistoryQuery& query) {
  std::lock_guard lock(impl_->mu);
  const std::string sql = std::string(kSelectExecutions) +
                          (query.rule_id.empty() ? "WHERE ?1 = ?1 " : "WHERE rule_id = ?1 ") +
                          "AND checked_at_us >= ?2 ORDER BY checked_at_us DESC, id DESC LIMIT ?3";
  Statement s(impl_->db.get(), sql, impl_->where);
  s.bind(1, std::string_view(query.rule_id))
      .bind(2, query.since ? to_micros(*query.since) : kNoLowerBound)
      .bind(3, std::int64_t{query.limit < 1 ? 1 : query.limit});
  std::vector<ExecutionRecord> out;
  while (s.step())
    out.push_back(read_execution(s));
  return out;
}

std::vector<VolumePoint> SqliteMetadataStore::volume_history(std::string_view rule_id,
                                                             WallTime since, WallTime until) {
  std::lock_guard lock(impl_->mu);
  Statement s(impl_->db.get(),
              "SELECT checked_at_us, row_count, status FROM executions WHERE rule_id = ?1 AND "
              "checked_at_us >= ?2 AND checked_at_us < ?3 AND row_count IS NOT NULL "
              "ORDER BY checked_at_us, id",
              impl_->where);
  s.bind(1, rule_id).bind(2, to_micros(since)).bind(3, to_micros(until));
  std::vector<VolumePoint> out;
  while (s.step()) {
    out.push_back(VolumePoint{from_micros(s.int64(0)), s.int64(1),
                              metadata_detail::parse_stored_status(s.text(2))});
  }
  return out;
}

std::optional<SchemaSnapshot> SqliteMetadataStore::schema_baseline(std::string_view rule_id) {
  std::lock_guard lock(impl_->mu);
  Statement head(impl_->db.get(),
                 "SELECT table_name, captured_at_us FROM schema_baselines WHERE rule_id = ?1",
                 impl_->where);
  head.bind(1, rule_id);
  if (!head.step()) return std::nullopt;
  SchemaSnapshot snap{std::string(rule_id), head.text(0), {}, from_micros(head.int64(1))};
  Statement cols(impl_->db.get(),
                 "SELECT name, type, nullable, position FROM schema_baseline_columns "
                 "WHERE rule_id = ?1 ORDER BY position, name",
                 impl_->where);
  cols.bind(1, rule_id);
  while (cols.step()) {
    snap.columns.push_back(SchemaColumn{cols.text(0), cols.text(1), cols.int64(2) != 0,
                                        static_cast<int>(cols.int64(3))});
  }
  return snap;
}

void SqliteMetadataStore::save_schema_baseline(const SchemaSnapshot& snapshot) {
  std::lock_guard lock(impl_->mu);
  WriteTransaction tx(impl_->db.get(), impl_->where);
  impl_->write_baseline(snapshot);
  tx.commit();
}

void SqliteMetadataStore::record_approval(const Approval& approval,
                                          const std::optional<SchemaSnapshot>& baseline) {
  std::lock_guard lock(impl_->mu);
  WriteTransaction tx(impl_->db.get(), impl_->where);
  Statement s(impl_->db.get(),
              "INSERT INTO approvals (rule_id, approved_at_us, approved_by, note) "
              "VALUES (?1, ?2, ?3, ?4)",
              impl_->where);
  s.bind(1, std::string_view(approval.rule_id))
      .bind(2, to_micros(approval.approved_at))
      .bind(3, std::string_view(approval.approved_by))
      .bind(4, std::string_view(approval.note))
      .run();
  if (baseline) impl_->write_baseline(*baseline);
  tx.commit();
}

std::optional<Approval> SqliteMetadataStore::latest_approval(std::string_view rule_id) {
  std::lock_guard lock(impl_->mu);
  Statement s(impl_->db.get(),
              "SELECT approved_at_us, approved_by, note FROM approvals WHERE rule_id = ?1 "
              "ORDER BY approved_at_us DESC, id DESC LIMIT 1",
              impl_->where);
  s.bind(1, rule_id);
  if (!s.step()) return std::nullopt;
  return Approval{std::string(rule_id), from_micros(s.int64(0)), s.text(1), s.text(2)};
}

std::int64_t SqliteMetadataStore::prune_history(WallTime cutoff) {
  std::lock_guard lock(impl_->mu);
  WriteTransaction tx(impl_->db.get(), impl_->where);
  Statement s(impl_->db.get(), "DELETE FROM executions WHERE checked_at_us < ?1", impl_->where);
  s.bind(1, to_micros(cutoff)).run();
  const std::int64_t deleted = sqlite3_changes64(impl_->db.get());
  tx.commit();
  return deleted;
}

int sqlite_store_latest_version() noexcept {
  return metadata_detail::sqlite_migrations().back().version;
}

}  // namespace freshguard
