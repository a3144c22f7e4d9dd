// Reads the `sources:` section: a map from source name to that source's settings.

#include <algorithm>
#include <array>
#include <vector>

#include <sys/stat.h>

#include <freshguard/config/source_types.hpp>

#include "config/resilience_loader.hpp"
#include "config/yaml_reader.hpp"
#include "connectors/common/database_file.hpp"

namespace freshguard::config {
namespace detail {
namespace {

constexpr auto kTypeNames = [] {
  std::array<std::string_view, kSourceTypes.size()> names{};
  for (std::size_t i = 0; i < names.size(); ++i)
    names[i] = kSourceTypes[i].name;
  return names;
}();

constexpr std::string_view kCommonKeys[] = {
    "type",  "timeout_ms",    "max_connections",          "circuit_breaker",
    "retry", "query_metrics", "schema_cache_ttl_seconds", "schema_cache_max_entries"};
constexpr std::string_view kServerKeys[] = {
    "host", "port", "database", "username", "password", "ssl", "ssl_root_cert", "schema",
    // pool and timeouts
    "connect_timeout_ms", "idle_timeout_ms", "max_uses", "max_lifetime_ms", "statement_timeout_ms",
    // cost guard of user-supplied SQL
    "max_plan_rows", "max_scan_mb", "max_result_rows"};
constexpr std::string_view kFileKeys[] = {"path"};
// Resource limits of the embedded engines.
constexpr std::string_view kSqliteKeys[] = {"max_value_mb"};
constexpr std::string_view kDuckdbKeys[] = {"memory_limit_mb", "threads"};
// clang-format off
constexpr std::string_view kBigqueryKeys[] = {
    "project", "dataset", "location", "credentials_file", "endpoint", "maximum_bytes_billed",
    "ssl_root_cert"};
// clang-format on
// clang-format off
constexpr std::string_view kSnowflakeKeys[] = {
    "account", "username", "private_key_file", "oauth_token_file", "warehouse", "role",
    "database", "schema", "endpoint", "ssl_root_cert", "max_scan_mb"};
// clang-format on

constexpr std::size_t kMinPasswordLength = 8;
constexpr std::int64_t kMinBytesBilled = 10485760;          // BigQuery bills 10 MB at least
constexpr std::int64_t kMaxBytesBilled = 1000000000000000;  // 1 PB

std::vector<std::string_view> concat(std::initializer_list<NameList> lists) {
  std::vector<std::string_view> out;
  for (const auto list : lists) {
    for (const auto name : list) {
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
  }
  return out;
}

std::vector<std::string_view> keys_for(SourceType type) {
  switch (type) {
    case SourceType::kPostgres:
    case SourceType::kMysql:
      return concat({kCommonKeys, kServerKeys});
    case SourceType::kSqlite:
      return concat({kCommonKeys, kFileKeys, kSqliteKeys});
    case SourceType::kDuckdb:
      return concat({kCommonKeys, kFileKeys, kDuckdbKeys});
    case SourceType::kBigquery:
      return concat({kCommonKeys, kBigqueryKeys});
    case SourceType::kSnowflake:
      return concat({kCommonKeys, kSnowflakeKeys});
  }
  return concat({kCommonKeys});
}

// Length in characters (UTF-8 code points), not bytes.
std::size_t char_count(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

// `ssl:` takes a boolean or a mode name.
std::optional<SslMode> parse_ssl(std::string_view text) {
  static constexpr std::pair<std::string_view, SslMode> kSpellings[] = {
      {"true", SslMode::kVerifyFull},    {"True", SslMode::kVerifyFull},
      {"TRUE", SslMode::kVerifyFull},    {"false", SslMode::kDisable},
      {"False", SslMode::kDisable},      {"FALSE", SslMode::kDisable},
      {"disable", SslMode::kDisable},    {"require", SslMode::kRequire},
      {"verify-ca", SslMode::kVerifyCa}, {"verify-full", SslMode::kVerifyFull},
  };
  for (const auto& [spelling, mode] : kSpellings) {
    if (spelling == text) return mode;
  }
  return std::nullopt;
}

void read_ssl(MapReader& r, SourceConfig& source) {
  const auto* node = r.find("ssl");
  if (node == nullptr) return;
  const auto path = r.path_of("ssl");
  auto scalar = read_scalar(r.ctx(), *node, path, "a boolean or an SSL mode");
  if (!scalar) return;
  if (const auto mode = parse_ssl(scalar->value)) {
    source.ssl = *mode;
    return;
  }
  r.ctx().add(path, "must be true, false or one of disable, require, verify-ca, verify-full, got " +
                        scalar->describe());
}

void read_optional_identifier(MapReader& r, std::string_view key, std::string_view what,
                              std::string& out) {
  if (auto value = r.optional_string(key)) {
    if (check_identifier(r.ctx(), r.path_of(key), *value, what)) out = std::move(*value);
  }
}

void read_endpoint(MapReader& r, SourceConfig& source) {
  if (auto value = r.optional_string("endpoint")) {
    if (value->empty()) return;  // the API's default endpoint
    if (is_http_url(*value)) {
      source.endpoint = std::move(*value);
    } else {
      r.ctx().add(r.path_of("endpoint"), "must start with http:// or https://");
    }
  }
}

// Pool limits and timeouts of server databases; the defaults are the audited ones.
void read_pool(MapReader& r, SourceConfig& source) {
  source.connect_timeout_ms =
      r.integer_or("connect_timeout_ms", 1000, 60000, source.connect_timeout_ms);
  source.idle_timeout_ms = r.integer_or("idle_timeout_ms", 1000, 3600000, source.idle_timeout_ms);
  source.max_uses = r.integer_or("max_uses", 1, 1000000, source.max_uses);
  source.max_lifetime_ms = r.integer_or("max_lifetime_ms", 60000, 86400000, source.max_lifetime_ms);
  source.statement_timeout_ms =
      r.integer_or("statement_timeout_ms", 100, 600000, source.statement_timeout_ms);
  source.max_plan_rows = r.integer_or("max_plan_rows", 1, 1000000000, source.max_plan_rows);
  source.max_scan_mb = r.integer_or("max_scan_mb", 1, 1048576, source.max_scan_mb);
  source.max_result_rows = r.integer_or("max_result_rows", 1, 1000000, source.max_result_rows);
}

// `ssl_root_cert:` CA bundle trusted instead of the system one (relative to the config).
void read_root_cert(MapReader& r, SourceConfig& source) {
  if (auto cert = r.optional_string("ssl_root_cert")) {
    source.ssl_root_cert = cert->empty() ? *cert : r.ctx().resolve_path(*cert);
  }
}

void read_server(MapReader& r, SourceConfig& source) {
  source.host = r.required_string("host").value_or("");
  const int default_port = source_type_info(source.type).default_port;
  source.port = r.integer_or("port", 1, 65535, default_port);
  source.database = r.required_string("database").value_or("");
  source.username = r.required_string("username").value_or("");
  if (auto password = r.required_string("password")) {
    if (char_count(*password) < kMinPasswordLength) {
      r.ctx().add(r.path_of("password"),
                  "must be at least " + std::to_string(kMinPasswordLength) + " characters");
    }
    source.password = std::move(*password);
  }
  read_ssl(r, source);
  if (auto cert = r.optional_string("ssl_root_cert")) {
    source.ssl_root_cert = cert->empty() ? *cert : r.ctx().resolve_path(*cert);
  }
  read_optional_identifier(r, "schema", "schema name", source.schema);
  read_pool(r, source);
}

// A database path that exists must be a regular file: opening a FIFO blocks and a device
// or directory is no database. stat(2) never blocks, so validate can say so up front; a
// missing file is left to the connector (it may be created before the first check).
void check_file_kind(MapReader& r, const SourceConfig& source) {
  struct stat st {};
  if (::stat(source.path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return;
  const char* kind = S_ISDIR(st.st_mode)    ? "a directory"
                     : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  r.ctx().add(r.path_of("path"), std::string("is ") + kind +
                                     ", not a database file; point it at a " +
                                     std::string(to_string(source.type)) + " database file");
}

void read_file_database(MapReader& r, SourceConfig& source) {
  if (source.type == SourceType::kSqlite) {
    source.max_value_mb = r.integer_or("max_value_mb", 1, 512, source.max_value_mb);
  } else {
    source.memory_limit_mb = r.integer_or("memory_limit_mb", 16, 1048576, source.memory_limit_mb);
    source.threads = r.integer_or("threads", 1, 64, source.threads);
  }
  auto path = r.required_string("path");
  if (!path) return;
  if (*path == ":memory:") {
    if (source.type == SourceType::kDuckdb) {
      source.path = *path;
    } else {
      r.ctx().add(r.path_of("path"), "':memory:' is only allowed for duckdb sources");
    }
    return;
  }
  source.path = r.ctx().resolve_path(*path);
  if (source.type == SourceType::kDuckdb) {
    if (const auto dir = connectors::system_directory(source.path)) {
      r.ctx().add_security(r.path_of("path"),
                           "points into a system directory (" + *dir +
                               "); DuckDB reads the file its path names: point it at a database "
                               "file of your own");
      return;
    }
  }
  check_file_kind(r, source);
}

// Letters, digits and hyphens, 6-30 characters, starting with a letter.
bool is_valid_project(std::string_view project) {
  if (project.size() < 6 || project.size() > 30) return false;
  const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (!letter(project.front())) return false;
  return std::all_of(project.begin(), project.end(),
                     [&letter](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '-'; });
}

void read_bigquery(MapReader& r, SourceConfig& source) {
  if (auto project = r.required_string("project")) {
    if (is_valid_project(*project)) {
      source.project = std::move(*project);
    } else {
      r.ctx().add(r.path_of("project"),
                  "must be 6-30 letters, digits or hyphens, starting with a letter");
    }
  }
  if (auto dataset = r.required_string("dataset")) {
    if (check_identifier(r.ctx(), r.path_of("dataset"), *dataset, "dataset name")) {
      source.dataset = std::move(*dataset);
    }
  }
  source.location = r.optional_string("location").value_or("");
  if (auto file = r.optional_string("credentials_file")) {
    source.credentials_file = file->empty() ? *file : r.ctx().resolve_path(*file);
  }
  if (const auto budget =
          r.optional_integer("maximum_bytes_billed", kMinBytesBilled, kMaxBytesBilled)) {
    source.maximum_bytes_billed = *budget;
  }
  read_endpoint(r, source);
  read_root_cert(r, source);
}

// Snowflake account identifiers become part of a host name: letters, digits, '-', '_', '.'.
bool is_valid_account(std::string_view account) {
  return std::all_of(account.begin(), account.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Key-pair auth (`private_key_file`) or OAuth (`oauth_token_file`): exactly one of them.
void read_snowflake_credentials(MapReader& r, SourceConfig& source) {
  auto key = r.optional_string("private_key_file");
  auto token = r.optional_string("oauth_token_file");
  if (key && token) {
    r.ctx().add(r.path_of("oauth_token_file"),
                "set only one of private_key_file (key-pair auth) and oauth_token_file");
  } else if (!key && !token) {
    r.ctx().add(r.path_of("private_key_file"), "is required (or oauth_token_file, for OAuth)");
  }
  if (key && !key->empty()) source.private_key_file = r.ctx().resolve_path(*key);
  if (token && !token->empty()) source.oauth_token_file = r.ctx().resolve_path(*token);
}

void read_snowflake(MapReader& r, SourceConfig& source) {
  if (auto account = r.required_string("account")) {
    if (is_valid_account(*account)) {
      source.account = std::move(*account);
    } else {
      r.ctx().add(r.path_of("account"),
                  "must contain only letters, digits, '-', '_' and '.' (e.g. myorg-myaccount)");
    }
  }
  source.username = r.required_string("username").value_or("");
  read_snowflake_credentials(r, source);
  source.warehouse = r.optional_string("warehouse").value_or("");
  source.role = r.optional_string("role").value_or("");
  source.database = r.required_string("database").value_or("");
  read_optional_identifier(r, "schema", "schema name", source.schema);
  read_endpoint(r, source);
  read_root_cert(r, source);
  source.max_scan_mb = r.integer_or("max_scan_mb", 1, 1048576, source.max_scan_mb);
}

void read_type_settings(MapReader& r, SourceConfig& source) {
  switch (source.type) {
    case SourceType::kPostgres:
    case SourceType::kMysql:
      read_server(r, source);
      break;
    case SourceType::kSqlite:
    case SourceType::kDuckdb:
      read_file_database(r, source);
      break;
    case SourceType::kBigquery:
      read_bigquery(r, source);
      break;
    case SourceType::kSnowflake:
      read_snowflake(r, source);
      break;
  }
}

SourceConfig read_source(Context& ctx, const std::string& name, const YAML::Node& node,
                         const std::string& path) {
  SourceConfig source;
  source.name = name;
  MapReader r(ctx, node, path);
  const auto type = r.required_choice("type", kTypeNames);
  source.timeout_ms = r.integer_or("timeout_ms", 1000, 60000, source.timeout_ms);
  source.max_connections = r.integer_or("max_connections", 1, 100, source.max_connections);
  source.schema_cache_ttl_seconds =
      r.integer_or("schema_cache_ttl_seconds", 0, 86400, source.schema_cache_ttl_seconds);
  source.schema_cache_max_entries =
      r.integer_or("schema_cache_max_entries", 1, 100000, source.schema_cache_max_entries);
  read_resilience(r, source);
  const auto all_keys = concat({kCommonKeys, kServerKeys, kFileKeys, kSqliteKeys, kDuckdbKeys,
                                kBigqueryKeys, kSnowflakeKeys});
  if (!type) {
    r.check_keys(all_keys, all_keys, "");
    return source;
  }
  source.type = *parse_source_type(*type);
  read_type_settings(r, source);
  r.check_keys(keys_for(source.type), all_keys, *type + " sources");
  return source;
}

}  // namespace

std::map<std::string, SourceConfig> read_sources(Context& ctx, const YAML::Node* node) {
  std::map<std::string, SourceConfig> sources;
  if (node == nullptr || (node->IsMap() && node->size() == 0)) {
    ctx.add("sources", "at least one source is required");
    return sources;
  }
  if (!node->IsMap()) {
    ctx.add("sources",
            "must be a map from source name to its settings, got " + describe_node(*node));
    return sources;
  }
  MapReader names(ctx, *node, "sources");
  for (const auto& [name, settings] : names.entries()) {
    const auto path = names.path_of(name);
    if (!is_valid_name(name)) {
      ctx.add(path, "source names must be 1-128 letters, digits, '_', '.' or '-'");
      continue;
    }
    if (!settings.IsMap()) {
      ctx.add(path, "must be a map of settings (with type:), got " + describe_node(settings));
      continue;
    }
    sources.emplace(name, read_source(ctx, name, settings, path));
  }
  return sources;
}

}  // namespace detail

std::string_view to_string(SourceType t) noexcept {
  return source_type_info(t).name;
}

std::optional<SourceType> parse_source_type(std::string_view text) noexcept {
  for (std::size_t i = 0; i < std::size(detail::kTypeNames); ++i) {
    if (detail::kTypeNames[i] == text) return static_cast<SourceType>(i);
  }
  return std::nullopt;
}

}  // namespace freshguard::config
