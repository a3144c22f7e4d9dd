#include <limits>
#include <mutex>

#include <freshguard/metadata/postgres_store.hpp>

#include "metadata/codec.hpp"
#include "metadata/migrations.hpp"
#include "metadata/pg_db.hpp"

namespace freshguard {
namespace {

using metadata_detail::from_micros;
using metadata_detail::pg_exec;
using metadata_detail::PgParams;
using metadata_detail::PgRows;
using metadata_detail::PgTransaction;
using metadata_detail::to_micros;

constexpr std::int64_t kNoLowerBound = std::numeric_limits<std::int64_t>::min();
// pg_advisory_xact_lock key that serialises migrations ("freshgrd").
constexpr std::int64_t kMigrationLock = 0x6672657368677264;

constexpr const char* kSelectExecutions =
    "SELECT id, rule_id, rule_type, source, table_name, status, severity, message, method, "
    "row_count, lag_seconds, last_update_us, deviation_percent, schema_changes, error_code, "
    "duration_us, checked_at_us FROM freshguard_executions ";

ExecutionRecord read_execution(const PgRows& rows, int i) {
  using namespace metadata_detail;
  ExecutionRecord e;
  e.id = rows.int64(i, 0);
  e.rule_id = rows.text(i, 1);
  e.type = parse_stored_type(rows.text(i, 2));
  e.source = rows.text(i, 3);
  e.table = rows.text(i, 4);
  e.status = parse_stored_status(rows.text(i, 5));
  e.severity = parse_stored_severity(rows.text(i, 6));
  e.message = rows.text(i, 7);
  if (!rows.is_null(i, 8)) e.method = parse_stored_method(rows.text(i, 8));
  e.row_count = rows.opt_int64(i, 9);
  e.lag_seconds = rows.opt_int64(i, 10);
  if (auto us = rows.opt_int64(i, 11)) e.last_update = from_micros(*us);
  e.deviation_percent = rows.opt_real(i, 12);
  e.schema_changes = rows.opt_int64(i, 13);
  if (!rows.is_null(i, 14)) e.error_code = parse_stored_error_code(rows.text(i, 14));
  e.duration = std::chrono::microseconds(rows.int64(i, 15));
  e.checked_at = from_micros(rows.int64(i, 16));
  return e;
}

PgParams execution_params(const CheckResult& r) {
  const ExecutionRecord e = metadata_detail::to_record(r);
  std::optional<std::int64_t> last_update;
  if (e.last_update) last_update = to_micros(*e.last_update);
  std::optional<std::string_view> method;
  if (e.method) method = to_string(*e.method);
  std::optional<std::string_view> error_code;
  if (e.error_code) error_code = to_string(*e.error_code);
  PgParams p;
  p.add(std::string_view(e.rule_id))
      .add(to_string(e.type))
      .add(std::string_view(e.source))
      .add(std::string_view(e.table))
      .add(to_string(e.status))
      .add(to_string(e.severity))
      .add(std::string_view(e.message))
      .add(method)
      .add(e.row_count)
      .add(e.lag_seconds)
      .add(last_update)
      .add(e.deviation_percent)
      .add(e.schema_changes)
      .add(error_code)
      .add(std::int64_t{e.duration.count()})
      .add(to_micros(e.checked_at));
  return p;
}

}  // namespace

struct PostgresMetadataStore::Impl {
  PostgresStoreOptions opts;
  std::mutex mu;
  metadata_detail::PgConn conn;

  explicit Impl(PostgresStoreOptions o) : opts(std::move(o)) {}

  const Clock& clock() const {
    return opts.clock != nullptr ? *opts.clock : SystemClock::instance();
  }

  // Settings listed before dbname are defaults: the URL (expanded from dbname) overrides them.
  void connect() {
    const std::string timeout = std::to_string(opts.connect_timeout.count());
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {timeout.c_str(), "freshguard-metadata", opts.url.c_str(), nullptr};
    conn.reset(PQconnectdbParams(keys, values, 1));
    if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
      const std::string detail = conn != nullptr ? PQerrorMessage(conn.get()) : "out of memory";
      conn.reset();
      throw MetadataError("cannot connect to the postgres metadata database", true, detail);
    }
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    pg_exec(conn.get(), "SELECT set_config('statement_timeout', $1, false)",
            PgParams().add(std::to_string(opts.statement_timeout.count())));
  }

  // The connection, re-established when it was lost.
  PGconn* live() {
    if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) connect();
    return conn.get();
  }

  int current_version() {
    const auto rows =
        pg_exec(live(), "SELECT COALESCE(MAX(version), 0) FROM freshguard_schema_version");
    return static_cast<int>(rows.int64(0, 0));
  }

  void migrate() {
    const auto all = metadata_detail::postgres_migrations();
    const int latest = all.back().version;
    const int target = opts.migrate_to > 0 ? opts.migrate_to : latest;
    PGconn* c = live();
    PgTransaction tx(c);
    pg_exec(c, "SELECT pg_advisory_xact_lock($1)", PgParams().add(kMigrationLock));
    metadata_detail::pg_exec_script(
        c,
        "CREATE TABLE IF NOT EXISTS freshguard_schema_version (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_at_us BIGINT NOT NULL)");
    const int current = current_version();
    if (current > latest) {
      throw MetadataError("postgres metadata database has schema version " +
                          std::to_string(current) + ", newer than this FreshGuard knows (" +
                          std::to_string(latest) + "); upgrade FreshGuard");
    }
    for (const auto& m : all) {
      if (m.version <= current || m.version > target) continue;
      metadata_detail::pg_exec_script(c, m.sql);
      pg_exec(c,
              "INSERT INTO freshguard_schema_version (version, description, applied_at_us) "
              "VALUES ($1, $2, $3)",
              PgParams()
                  .add(std::int64_t{m.version})
                  .add(std::string_view(m.description))
                  .add(to_micros(clock().wall_now())));
    }
    tx.commit();
  }

  void write_baseline(PGconn* c, const SchemaSnapshot& snap) {
    pg_exec(c, "DELETE FROM freshguard_schema_baseline_columns WHERE rule_id = $1",
            PgParams().add(std::string_view(snap.rule_id)));
    pg_exec(c,
            "INSERT INTO freshguard_schema_baselines (rule_id, table_name, captured_at_us) "
            "VALUES ($1, $2, $3) ON CONFLICT (rule_id) DO UPDATE SET "
            "table_name = EXCLUDED.table_name, captured_at_us = EXCLUDED.captured_at_us",
            PgParams()
                .add(std::string_view(snap.rule_id))
                .add(std::string_view(snap.table))
                .add(to_micros(snap.captured_at)));
    for (const auto& col : snap.columns) {
      pg_exec(c,
              "INSERT INTO freshguard_schema_baseline_columns (rule_id, position, name, type, "
              "nullable) VALUES ($1, $2, $3, $4, $5)",
              PgParams()
                  .add(std::string_view(snap.rule_id))
                  .add(std::int64_t{col.position})
                  .add(std::string_view(col.name))
                  .add(std::string_view(col.type))
                  .add(col.nullable));
    }
  }
};

PostgresMetadataStore::PostgresMetadataStore(PostgresStoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->migrate();
}

PostgresMetadataStore::~PostgresMetadataStore() = default;

int PostgresMetadataStore::schema_version() {
  std::lock_guard lock(impl_->mu);
  return impl_->current_version();
}

void PostgresMetadataStore::record_executions(std::span<const CheckResult> results) {
  std::lock_guard lock(impl_->mu);
  PGconn* c = impl_->live();
  PgTransaction tx(c);
  for (const auto& r : results) {
    pg_exec(c,
            "INSERT INTO freshguard_executions (rule_id, rule_type, source, table_name, status, "
            "severity, message, method, row_count, lag_seconds, last_update_us, "
            "deviation_percent, schema_changes, error_code, duration_us, checked_at_us) VALUES "
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            execution_params(r));
  }
  tx.commit();
}

std::vector<ExecutionRecord> PostgresMetadataStore::history(const HistoryQuery& query) {
  std::lock_guard lock(impl_->mu);
  const std::string sql = std::string(kSelectExecutions) +
                          (query.rule_id.empty() ? "WHERE $1 = $1 " : "WHERE rule_id = $1 ") +
                          "AND checked_at_us >= $2 ORDER BY checked_at_us DESC, id DESC LIMIT $3";
  const auto rows = pg_exec(impl_->live(), sql.c_str(),
                            PgParams()
                                .add(std::string_view(query.rule_id))
                                .add(query.since ? to_micros(*query.since) : kNoLowerBound)
                                .add(std::int64_t{query.limit < 1 ? 1 : query.limit}));
  std::vector<ExecutionRecord> out;
  for (int i = 0; i < rows.size(); ++i)
    out.push_back(read_execution(rows, i));
  return out;
}

std::vector<VolumePoint> PostgresMetadataStore::volume_history(std::string_view rule_id,
                                                               WallTime since, WallTime until) {
  std::lock_guard lock(impl_->mu);
  const auto rows = pg_exec(impl_->live(),
                            "SELECT checked_at_us, row_count, status FROM freshguard_executions "
                            "WHERE rule_id = $1 AND checked_at_us >= $2 AND checked_at_us < $3 "
                            "AND row_count IS NOT NULL ORDER BY checked_at_us, id",
                            PgParams().add(rule_id).add(to_micros(since)).add(to_micros(until)));
  std::vector<VolumePoint> out;
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(VolumePoint{from_micros(rows.int64(i, 0)), rows.int64(i, 1),
                              metadata_detail::parse_stored_status(rows.text(i, 2))});
  }
  return out;
}

std::optional<SchemaSnapshot> PostgresMetadataStore::schema_baseline(std::string_view rule_id) {
  std::lock_guard lock(impl_->mu);
  PGconn* c = impl_->live();
  const auto head = pg_exec(
      c, "SELECT table_name, captured_at_us FROM freshguard_schema_baselines WHERE rule_id = $1",
      PgParams().add(rule_id));
  if (head.size() == 0) return std::nullopt;
  SchemaSnapshot snap{std::string(rule_id), head.text(0, 0), {}, from_micros(head.int64(0, 1))};
  const auto cols = pg_exec(c,
                            "SELECT name, type, nullable, position FROM "
                            "freshguard_schema_baseline_columns WHERE rule_id = $1 "
                            "ORDER BY position, name",
                            PgParams().add(rule_id));
  for (int i = 0; i < cols.size(); ++i) {
    snap.columns.push_back(SchemaColumn{cols.text(i, 0), cols.text(i, 1), cols.boolean(i, 2),
                                        static_cast<int>(cols.int64(i, 3))});
  }
  return snap;
}

void PostgresMetadataStore::save_schema_baseline(const SchemaSnapshot& snapshot) {
  std::lock_guard lock(impl_->mu);
  PGconn* c = impl_->live();
  PgTransaction tx(c);
  impl_->write_baseline(c, snapshot);
  tx.commit();
}

void PostgresMetadataStore::record_approval(const Approval& approval,
                                            const std::optional<SchemaSnapshot>& baseline) {
  std::lock_guard lock(impl_->mu);
  PGconn* c = impl_->live();
  PgTransaction tx(c);
  pg_exec(c,
          "INSERT INTO freshguard_approvals (rule_id, approved_at_us, approved_by, note) "
          "VALUES ($1, $2, $3, $4)",
          PgParams()
              .add(std::string_view(approval.rule_id))
              .add(to_micros(approval.approved_at))
              .add(std::string_view(approval.approved_by))
              .add(std::string_view(approval.note)));
  if (baseline) impl_->write_baseline(c, *baseline);
  tx.commit();
}

std::optional<Approval> PostgresMetadataStore::latest_approval(std::string_view rule_id) {
  std::lock_guard lock(impl_->mu);
  const auto rows = pg_exec(impl_->live(),
                            "SELECT approved_at_us, approved_by, note FROM freshguard_approvals "
                            "WHERE rule_id = $1 ORDER BY approved_at_us DESC, id DESC LIMIT 1",
                            PgParams().add(rule_id));
  if (rows.size() == 0) return std::nullopt;
  return Approval{std::string(rule_id), from_micros(rows.int64(0, 0)), rows.text(0, 1),
                  rows.text(0, 2)};
}

std::int64_t PostgresMetadataStore::prune_history(WallTime cutoff) {
  std::lock_guard lock(impl_->mu);
  return pg_exec(impl_->live(), "DELETE FROM freshguard_executions WHERE checked_at_us < $1",
                 PgParams().add(to_micros(cutoff)))
      .affected();
}

int postgres_store_latest_version() noexcept {
  return metadata_detail::postgres_migrations().back().version;
}

}  // namespace freshguard
