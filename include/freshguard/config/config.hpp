#pragma once
/// The FreshGuard configuration file: YAML read into typed structs.
///
/// Loading never stops at the first problem: every problem is collected as a ConfigProblem
/// with the path of the offending value (`rules[2].tolerance_minutes`) and a message, so a
/// user fixes all of them in one pass. `${VAR}` in any string value is replaced from the
/// environment (`${VAR:-default}` supplies a default, `$$` is a literal `$`); an unset
/// variable without a default is a problem naming the variable.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/core/rule.hpp>
#include <freshguard/net/tls.hpp>

namespace freshguard::config {

enum class SourceType { kPostgres, kMysql, kSqlite, kDuckdb, kBigquery, kSnowflake };
std::string_view to_string(SourceType t) noexcept;
std::optional<SourceType> parse_source_type(std::string_view text) noexcept;

/// TLS mode for server databases (net/tls.hpp, where the connectors take it from).
using SslMode = net::SslMode;
using net::to_string;

/// How a source's circuit breaker trips: a run of failures, or a failure share over a window.
enum class CircuitBreakerMode { kConsecutive, kFailureRate };

/// `circuit_breaker:` of a source. Ranges are checked when the file is loaded.
struct CircuitBreakerConfig {
  bool enabled = true;
  CircuitBreakerMode mode = CircuitBreakerMode::kConsecutive;
  int failure_threshold = 5;        ///< 1-100: consecutive failures that open it
  int success_threshold = 3;        ///< 1-100: probe successes that close it
  int reset_timeout_ms = 60000;     ///< 1000-3600000: time OPEN before probing
  int half_open_max_calls = 1;      ///< 1-100: probes in flight at once
  int window_size = 20;             ///< 1-1000: calls judged in failure_rate mode
  int minimum_calls = 10;           ///< 1-window_size: calls needed before it can trip
  int failure_rate_threshold = 50;  ///< 1-100: failure percentage that opens it
};

/// Jitter of the retry backoff: full (random in [0, backoff)), proportional (+-20%), none.
enum class RetryJitter { kFull, kProportional, kNone };

/// `retry:` of a source. `enabled: false` is the same as `max_attempts: 1`.
struct RetryConfig {
  bool enabled = true;
  int max_attempts = 3;     ///< 1-10, the first attempt included
  int base_delay_ms = 100;  ///< 10-60000
  double multiplier = 2.0;  ///< 1.0-10.0
  int max_delay_ms = 5000;  ///< 10-300000, at least base_delay_ms
  RetryJitter jitter = RetryJitter::kFull;
};

/// One source (a database FreshGuard watches). Which fields apply depends on `type`.
struct SourceConfig {
  std::string name;
  SourceType type = SourceType::kSqlite;

  // Server databases (postgres, mysql).
  std::string host;
  int port = 0;  ///< 0 = the database's default port
  std::string database;
  std::string username;
  std::string password;  ///< secret: never printed or logged
  SslMode ssl = SslMode::kVerifyFull;
  std::string ssl_root_cert;
  std::string schema;  ///< default schema for unqualified tables (empty = database default)

  // Pool and timeouts of server databases (postgres, mysql).
  /// Waiting for a free connection and opening a new one: 1000-60000 ms, default 5000.
  int connect_timeout_ms = 5000;
  /// An idle connection is closed after: 1000-3600000 ms, default 30000.
  int idle_timeout_ms = 30000;
  /// A connection is recycled after serving: 1-1000000 calls, default 7500.
  int max_uses = 7500;
  /// A connection is recycled once this old: 60000-86400000 ms, default 1800000 (30 min).
  int max_lifetime_ms = 1800000;
  /// Server-side statement timeout of every session: 100-600000 ms, default 10000.
  int statement_timeout_ms = 10000;

  // Cost guard of user-supplied SQL (a rule's `filter:`, Connector::query) on PostgreSQL:
  // the planner's estimate (EXPLAIN, never ANALYZE) must stay within these.
  /// Most result rows the plan may estimate: 1-1000000000, default 10000.
  int max_plan_rows = 10000;
  /// Most data the plan may scan, estimated from its pages: 1-1048576 MB, default 1024 (1 GB).
  int max_scan_mb = 1024;
  /// Rows Connector::query returns at most (the rest are cut off): 1-1000000, default 10000.
  int max_result_rows = 10000;

  // File databases (sqlite, duckdb). Relative paths are resolved against the config file.
  /// When it exists it must be a regular file (a FIFO, device or directory is a problem).
  std::string path;
  /// SQLite: largest string or blob a statement may build: 1-512 MB, default 64.
  int max_value_mb = 64;
  /// DuckDB: memory_limit of the database (hash tables, sorts, aggregates): 16-1048576 MB,
  /// default 512.
  int memory_limit_mb = 512;
  /// DuckDB: worker threads of the database: 1-64, default 2.
  int threads = 2;

  // BigQuery.
  std::string project;
  std::string dataset;
  std::string location;
  std::string credentials_file;
  /// Cost guard: a query whose dry run reports more bytes is refused before a job is
  /// submitted (and the job itself is capped at this). 10485760 (10 MB, BigQuery's minimum
  /// bill) to 10^15, default 1000000000 (1 GB).
  std::int64_t maximum_bytes_billed = 1000000000;

  // Snowflake.
  std::string account;
  /// Key-pair auth: unencrypted PEM private key. Exactly one of this and oauth_token_file.
  std::string private_key_file;
  /// OAuth: a file holding the access token (read again when Snowflake rejects it).
  std::string oauth_token_file;
  std::string warehouse;
  std::string role;

  // BigQuery and Snowflake.
  std::string endpoint;

  /// Per-call timeout in milliseconds: 1000-60000, default 30000.
  int timeout_ms = 30000;
  /// Pool size: 1-100, default 20.
  int max_connections = 20;
  /// How long a resolved table schema is trusted by the schema cache: 0-86400 s, default
  /// 3600 (0 = reload it for every check).
  int schema_cache_ttl_seconds = 3600;
  /// Most table schemas the source's cache keeps (least recently used evicted): 1-100000,
  /// default 1000.
  int schema_cache_max_entries = 1000;

  /// Resilience applied to every call on this source (breaker, then retry, then deadline).
  CircuitBreakerConfig circuit_breaker;
  RetryConfig retry;
  /// Record every call's outcome and latency in obs::QueryMetrics::global() (exported by
  /// `serve` on /metrics). Default true; `query_metrics: false` opts the source out.
  bool query_metrics = true;
};

enum class MetadataBackend { kSqlite, kPostgres };

struct MetadataConfig {
  MetadataBackend backend = MetadataBackend::kSqlite;
  /// SQLite file; relative paths are resolved against the config file's folder.
  std::string path = ".freshguard/metadata.db";
  /// PostgreSQL connection URL (secret: never printed).
  std::string url;
  /// Days of execution history kept. Default 90.
  int retention_days = 90;
};

struct LoggingConfig {
  std::string level = "info";   ///< trace, debug, info, warn, error, off
  std::string format = "json";  ///< json or text
};

/// One alert destination, used by `serve`.
struct AlertSinkConfig {
  std::string name;
  std::string type;                            ///< webhook, slack, pagerduty, command
  std::string url;                             ///< webhook, slack; pagerduty: endpoint
                                               ///< (empty = PagerDuty's Events API v2)
  std::string routing_key;                     ///< pagerduty (secret)
  std::string command;                         ///< command
  std::map<std::string, std::string> headers;  ///< webhook (values are secret)
};

struct AlertsConfig {
  std::vector<AlertSinkConfig> sinks;
  int cooldown_minutes = 0;
};

struct Config {
  std::filesystem::path file;  ///< the file this was loaded from (empty when from a string)
  std::map<std::string, SourceConfig> sources;
  std::vector<Rule> rules;
  MetadataConfig metadata;
  LoggingConfig logging;
  AlertsConfig alerts;

  /// Every secret value in the config (passwords, tokens, URLs with credentials), so
  /// loggers and printers can redact them wherever they appear.
  std::vector<std::string> secrets() const;
};

/// One problem found while loading: `path: message`.
struct ConfigProblem {
  std::string path;
  std::string message;
  /// True when the problem is a security violation (a hostile identifier).
  bool security = false;
  std::string to_string() const { return path.empty() ? message : path + ": " + message; }
};

/// Looks up environment variables; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

/// Result of loading: a config when there were no problems, else the problems.
struct LoadResult {
  std::optional<Config> config;
  std::vector<ConfigProblem> problems;
  bool ok() const { return config.has_value() && problems.empty(); }
};

/// Parses and validates YAML text. `file` is used to resolve relative paths and in messages.
LoadResult load_config_string(std::string_view yaml, const EnvLookup& env = process_env(),
                              const std::filesystem::path& file = {});

/// Reads and validates a config file. A missing or unreadable file is a problem with an
/// empty path naming the file.
LoadResult load_config_file(const std::filesystem::path& file,
                            const EnvLookup& env = process_env());

/// A commented starter configuration, as written by `freshguard init`. It loads cleanly
/// when the environment provides the variables it names.
std::string starter_config();

}  // namespace freshguard::config
