#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/core/error.hpp>

#include "connectors/common/database_file.hpp"
#include "connectors/duckdb/duckdb_handles.hpp"
#include "connectors/duckdb/duckdb_pool.hpp"
#include "connectors/duckdb/duckdb_session.hpp"

namespace freshguard {
namespace {

using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;
using Rows = std::vector<Row>;

constexpr sql::Dialect kDuckdbDialect{sql::DialectKind::kDuckdb};
constexpr std::string_view kMemory = ":memory:";

// Every catalog query returns VARCHAR columns only, so one reader serves them all.
constexpr const char* kRelations =
    "(SELECT schema_name, table_name FROM duckdb_tables() "
    " WHERE database_name = current_database() "
    " UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
    " WHERE database_name = current_database() AND NOT internal)";

void check_path(const std::string& source, const std::string& path) {
  if (path == kMemory) return;
  if (const auto dir = connectors::system_directory(path)) {
    throw SecurityError("source \"" + source + "\": DuckDB path points into a system directory (" +
                        *dir + ")");
  }
}

// Reads VARCHAR cells from every chunk of a materialised result.
Rows read_rows(duckdb_result& res) {
  Rows rows;
  const idx_t cols = duckdb_column_count(&res);
  while (true) {
    duckdb::Chunk chunk(duckdb_fetch_chunk(res));
    if (!chunk) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk.get());
    if (n == 0) break;
    for (idx_t r = 0; r < n; ++r)
      rows.emplace_back(cols);
    for (idx_t c = 0; c < cols; ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk.get(), c);
      auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec));
      uint64_t* validity = duckdb_vector_get_validity(vec);
      for (idx_t r = 0; r < n; ++r) {
        if (validity != nullptr && !duckdb_validity_row_is_valid(validity, r)) continue;
        duckdb_string_t* s = &data[r];
        rows[rows.size() - n + r][c] =
            std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s));
      }
    }
  }
  return rows;
}

// A timestamp count in `unit_us` microseconds, or NotFinite for DuckDB's +-infinity.
sql::Value timestamp_value(std::int64_t count, std::int64_t unit_us, bool naive) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (count >= kMax || count <= -kMax) return sql::NotFinite{};
  const std::int64_t us = unit_us >= 1 ? count * unit_us : count / 1000;  // 0: nanoseconds
  const std::chrono::microseconds since_epoch(us);
  if (naive) return sql::NaiveTime{std::chrono::local_time<std::chrono::microseconds>(since_epoch)};
  return WallTime(since_epoch);
}

// The single value of a data query, by its DuckDB type. Types that hold no timestamp or
// count are sql::OtherType (the core names the declared type).
sql::Value first_value(duckdb_result& res) {
  const duckdb_type type = duckdb_column_type(&res, 0);
  const duckdb::Chunk chunk(duckdb_fetch_chunk(res));
  if (!chunk || duckdb_data_chunk_get_size(chunk.get()) == 0) return {};
  duckdb_vector vec = duckdb_data_chunk_get_vector(chunk.get(), 0);
  uint64_t* validity = duckdb_vector_get_validity(vec);
  const bool null = validity != nullptr && !duckdb_validity_row_is_valid(validity, 0);
  void* data = duckdb_vector_get_data(vec);
  const auto first = [&](auto tag) { return static_cast<decltype(tag)*>(data)[0]; };
  switch (type) {
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: {
      if (null) return {};
      const std::int64_t unit = type == DUCKDB_TYPE_TIMESTAMP_S    ? 1000000
                                : type == DUCKDB_TYPE_TIMESTAMP_MS ? 1000
                                : type == DUCKDB_TYPE_TIMESTAMP_NS ? 0
                                                                   : 1;
      return timestamp_value(first(std::int64_t{}), unit, type != DUCKDB_TYPE_TIMESTAMP_TZ);
    }
    case DUCKDB_TYPE_DATE: {
      if (null) return {};
      const std::int32_t days = first(std::int32_t{});
      if (days >= std::numeric_limits<std::int32_t>::max() ||
          days <= -std::numeric_limits<std::int32_t>::max()) {
        return sql::NotFinite{};
      }
      return timestamp_value(std::int64_t{days} * 86400, 1000000, true);
    }
    case DUCKDB_TYPE_VARCHAR: {
      if (null) return {};
      duckdb_string_t str = first(duckdb_string_t{});
      return std::string(duckdb_string_t_data(&str), duckdb_string_t_length(str));
    }
    case DUCKDB_TYPE_BIGINT:
      return null ? sql::Value{} : sql::Value{first(std::int64_t{})};
    case DUCKDB_TYPE_INTEGER:
      return null ? sql::Value{} : sql::Value{std::int64_t{first(std::int32_t{})}};
    case DUCKDB_TYPE_SMALLINT:
      return null ? sql::Value{} : sql::Value{std::int64_t{first(std::int16_t{})}};
    case DUCKDB_TYPE_UINTEGER:
      return null ? sql::Value{} : sql::Value{std::int64_t{first(std::uint32_t{})}};
    case DUCKDB_TYPE_UBIGINT: {
      if (null) return {};
      const std::uint64_t v = first(std::uint64_t{});
      if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return sql::OtherType{"UBIGINT"};
      }
      return static_cast<std::int64_t>(v);
    }
    case DUCKDB_TYPE_HUGEINT: {
      if (null) return {};
      const duckdb_hugeint v = first(duckdb_hugeint{});
      const auto low = static_cast<std::int64_t>(v.lower);
      if ((v.upper == 0 && low >= 0) || (v.upper == -1 && low < 0)) return low;
      return sql::OtherType{"HUGEINT"};
    }
    default:
      return sql::OtherType{};
  }
}

pool::PoolConfig pool_config(const DuckdbOptions& o) {
  pool::PoolConfig c;
  c.max_connections = o.max_connections;
  c.connect_timeout = o.timeout;  // waiting for a free connection: the call's timeout
  return c;
}

// The DuckDB driver: connections to one bounded database from the shared pool, the catalog
// from duckdb_tables() / duckdb_views() / duckdb_columns(), values decoded by their type.
class DuckdbDriver final : public connectors::Driver {
 public:
  explicit DuckdbDriver(DuckdbOptions o)
      : clock_(o.clock != nullptr ? *o.clock : SystemClock::instance()),
        source_(o.source_name),
        database_((check_path(o.source_name, o.path), std::move(o))),
        config_{source_, &clock_, &database_},
        pool_(config_, pool_config(database_.options())),
        watchdog_(clock_) {}

  const sql::Dialect& dialect() const noexcept override { return kDuckdbDialect; }
  std::optional<sql::Identifier> default_schema() const override {
    return sql::Identifier::parse("main");
  }

  void ping(bool) override {
    exec("SELECT 1::VARCHAR", {}, [](duckdb_result&) {});
  }

  std::vector<sql::QualifiedName> list_tables() override {
    std::vector<sql::QualifiedName> out;
    for (const auto& r :
         rows(std::string("SELECT schema_name, table_name FROM ") + kRelations + " ORDER BY 1, 2",
              {})) {
      auto schema = sql::Identifier::try_parse(r[0].value_or(""));
      auto name = sql::Identifier::try_parse(r[1].value_or(""));
      // Tables whose names are not plain identifiers cannot be monitored; skip them.
      if (schema && name) out.push_back(sql::QualifiedName{*schema, *name});
    }
    return out;
  }

  std::vector<TableSchema> describe(const sql::QualifiedName& t) override {
    std::vector<TableSchema> out;
    for (const auto& r : rows(std::string("SELECT schema_name, table_name FROM ") + kRelations +
                                  " WHERE lower(schema_name) = lower($1) AND "
                                  "lower(table_name) = lower($2)",
                              {t.schema->str(), t.name.str()})) {
      auto schema = sql::Identifier::try_parse(r[0].value_or(""));
      auto name = sql::Identifier::try_parse(r[1].value_or(""));
      if (schema && name) out.push_back(TableSchema{sql::QualifiedName{*schema, *name}, {}});
    }
    for (auto& table : out)
      table.columns = columns(table.table);
    return out;
  }

  sql::Value run(const sql::AggregateQuery&, const std::string& text) override {
    sql::Value out;
    exec(text, {}, [&](duckdb_result& res) { out = first_value(res); });
    return out;
  }

  std::optional<connectors::PoolStatus> pool_status() const override { return pool_.status(); }

 private:
  std::vector<ColumnInfo> columns(const sql::QualifiedName& t) {
    const Rows pk = rows(
        "SELECT unnest(constraint_column_names) FROM duckdb_constraints() "
        "WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 "
        "AND constraint_type = 'PRIMARY KEY'",
        {t.schema->str(), t.name.str()});
    std::vector<ColumnInfo> out;
    for (const auto& r :
         rows("SELECT column_name, data_type, is_nullable::VARCHAR, column_index::VARCHAR "
              "FROM duckdb_columns() WHERE database_name = current_database() "
              "AND schema_name = $1 AND table_name = $2 ORDER BY column_index",
              {t.schema->str(), t.name.str()})) {
      ColumnInfo c;
      c.name = r[0].value_or("");
      c.type = r[1].value_or("");
      c.nullable = r[2].value_or("true") == "true";
      c.position = static_cast<int>(std::stoll(r[3].value_or("0")));
      c.primary_key =
          std::any_of(pk.begin(), pk.end(), [&](const Row& p) { return p[0] && *p[0] == c.name; });
      out.push_back(std::move(c));
    }
    return out;
  }

  Rows rows(const std::string& sql, const std::vector<std::string>& binds) {
    Rows out;
    exec(sql, binds, [&](duckdb_result& res) { out = read_rows(res); });
    return out;
  }

  // Runs one statement on a pooled connection under the call's timeout (capped by the
  // resilience layer's deadline) and hands the result to `read`. A connection that failed
  // with a poisoning error is closed instead of returned.
  template <class Read>
  void exec(const std::string& sql, const std::vector<std::string>& binds, Read&& read) {
    const auto budget = pool::call_budget(database_.options().timeout, source_);
    pool::with_lease(
        pool_, duckdb::Deadline{clock_.steady_now() + budget, budget}, [&](duckdb::Session& s) {
          duckdb::Result res;
          duckdb::execute(s.get(), database_.options(), clock_, budget, watchdog_, sql, binds, res);
          read(res.get());
        });
  }

  const Clock& clock_;
  std::string source_;
  duckdb::SharedDatabase database_;  // outlives the pool's connections (declared first)
  duckdb::SessionConfig config_;
  mutable duckdb::Pool pool_;
  duckdb::InterruptWatchdog watchdog_;
};

}  // namespace

std::unique_ptr<connectors::Driver> make_duckdb_driver(DuckdbOptions options) {
  return std::make_unique<DuckdbDriver>(std::move(options));
}

bool duckdb_available() noexcept {
  return true;
}

DuckdbConnector::DuckdbConnector(DuckdbOptions options)
    : SqlConnector(std::make_unique<DuckdbDriver>(options), connectors::core_options_of(options)) {}

DuckdbConnector::~DuckdbConnector() = default;

int DuckdbConnector::open_connections() const {
  return SqlConnector::pool_status()->total;
}

}  // namespace freshguard
