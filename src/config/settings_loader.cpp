// Reads the `metadata:`, `logging:` and `alerts:` sections.

#include <set>
#include <vector>

#include "config/yaml_reader.hpp"

namespace freshguard::config::detail {
namespace {

constexpr std::string_view kBackends[] = {"sqlite", "postgres"};
constexpr std::string_view kMetadataKeys[] = {"backend", "path", "url", "retention_days"};
constexpr std::string_view kSqliteMetadataKeys[] = {"backend", "path", "retention_days"};
constexpr std::string_view kPostgresMetadataKeys[] = {"backend", "url", "retention_days"};

constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
constexpr std::string_view kFormats[] = {"json", "text"};
constexpr std::string_view kLoggingKeys[] = {"level", "format"};

constexpr std::string_view kAlertsKeys[] = {"cooldown_minutes", "sinks"};
constexpr std::string_view kSinkTypes[] = {"webhook", "slack", "pagerduty", "command"};
constexpr std::string_view kSinkKeys[] = {"name",        "type",    "url",
                                          "routing_key", "command", "headers"};
constexpr std::string_view kWebhookKeys[] = {"name", "type", "url", "headers"};
constexpr std::string_view kSlackKeys[] = {"name", "type", "url"};
constexpr std::string_view kPagerdutyKeys[] = {"name", "type", "routing_key", "url"};
constexpr std::string_view kCommandKeys[] = {"name", "type", "command"};

// True when the section is absent or null; reports a section that is not a map.
bool skip_section(Context& ctx, const YAML::Node* node, std::string_view name) {
  if (node == nullptr) return true;
  if (node->IsMap()) return false;
  ctx.add(std::string(name), "must be a map, got " + describe_node(*node));
  return true;
}

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

// HTTP header names are RFC 9110 tokens.
bool is_header_name(std::string_view name) {
  if (name.empty()) return false;
  constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  for (char c : name) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && kExtra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

void read_headers(MapReader& r, AlertSinkConfig& sink) {
  const auto* node = r.find("headers");
  if (node == nullptr) return;
  const auto path = r.path_of("headers");
  if (!node->IsMap()) {
    r.ctx().add(path, "must be a map from header name to value, got " + describe_node(*node));
    return;
  }
  MapReader headers(r.ctx(), *node, path);
  for (const auto& [name, value] : headers.entries()) {
    const auto header_path = headers.path_of(name);
    if (!is_header_name(name)) {
      r.ctx().add(header_path, "is not a valid HTTP header name");
      continue;
    }
    auto scalar = read_scalar(r.ctx(), value, header_path, "a string");
    if (!scalar) continue;
    if (scalar->value.find_first_of("\r\n") != std::string::npos) {
      r.ctx().add(header_path, "must not contain line breaks");
      continue;
    }
    sink.headers[name] = std::move(scalar->value);
  }
}

void read_sink_url(MapReader& r, AlertSinkConfig& sink) {
  auto url = r.required_string("url");
  if (!url) return;
  if (!is_http_url(*url)) {
    // The URL itself is not shown: a Slack webhook URL is a secret.
    r.ctx().add(r.path_of("url"), "must start with http:// or https://");
    return;
  }
  sink.url = std::move(*url);
}

void read_sink_fields(MapReader& r, AlertSinkConfig& sink) {
  if (sink.type == "webhook") {
    read_sink_url(r, sink);
    read_headers(r, sink);
    r.check_keys(kWebhookKeys, kSinkKeys, "webhook sinks");
  } else if (sink.type == "slack") {
    read_sink_url(r, sink);
    r.check_keys(kSlackKeys, kSinkKeys, "slack sinks");
  } else if (sink.type == "pagerduty") {
    sink.routing_key = r.required_string("routing_key").value_or("");
    if (r.has("url")) read_sink_url(r, sink);  // optional: the Events API v2 endpoint
    r.check_keys(kPagerdutyKeys, kSinkKeys, "pagerduty sinks");
  } else {
    sink.command = r.required_string("command").value_or("");
    r.check_keys(kCommandKeys, kSinkKeys, "command sinks");
  }
}

AlertSinkConfig read_sink(Context& ctx, const YAML::Node& node, const std::string& path) {
  AlertSinkConfig sink;
  MapReader r(ctx, node, path);
  if (auto name = r.required_string("name")) {
    if (is_valid_name(*name)) {
      sink.name = std::move(*name);
    } else {
      ctx.add(r.path_of("name"),
              "must be at most 128 characters: letters, digits, '_', '.' and '-'");
    }
  }
  auto type = r.required_choice("type", kSinkTypes);
  if (!type) {
    r.check_keys(kSinkKeys, kSinkKeys, "");
    return sink;
  }
  sink.type = std::move(*type);
  read_sink_fields(r, sink);
  return sink;
}

std::vector<AlertSinkConfig> read_sinks(Context& ctx, const YAML::Node* node,
                                        const std::string& path) {
  std::vector<AlertSinkConfig> sinks;
  if (node == nullptr) return sinks;
  if (!node->IsSequence()) {
    ctx.add(path, "must be a list of sinks, got " + describe_node(*node));
    return sinks;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const auto item_path = index_path(path, i);
    const auto item = (*node)[i];
    if (!item.IsMap()) {
      ctx.add(item_path, "must be a map (a sink with name: and type:), got " + describe_node(item));
      continue;
    }
    auto sink = read_sink(ctx, item, item_path);
    if (!sink.name.empty() && !names.insert(sink.name).second) {
      ctx.add(child_path(item_path, "name"), "duplicate sink name \"" + sink.name + "\"");
    }
    sinks.push_back(std::move(sink));
  }
  return sinks;
}

}  // namespace

MetadataConfig read_metadata(Context& ctx, const YAML::Node* node) {
  MetadataConfig metadata;
  metadata.path = ctx.resolve_path(metadata.path);
  if (skip_section(ctx, node, "metadata")) return metadata;
  MapReader r(ctx, *node, "metadata");
  if (auto backend = r.optional_choice("backend", kBackends)) {
    metadata.backend =
        *backend == "postgres" ? MetadataBackend::kPostgres : MetadataBackend::kSqlite;
  } else if (r.has("backend")) {
    r.check_keys(kMetadataKeys, kMetadataKeys, "");
    return metadata;
  }
  metadata.retention_days = r.integer_or("retention_days", 1, 3650, metadata.retention_days);
  if (metadata.backend == MetadataBackend::kSqlite) {
    if (r.has("path")) {
      if (auto path = r.required_string("path")) metadata.path = ctx.resolve_path(*path);
    }
    r.check_keys(kSqliteMetadataKeys, kMetadataKeys, "the sqlite metadata backend");
    return metadata;
  }
  metadata.path.clear();
  if (auto url = r.required_string("url")) {
    if (is_postgres_url(*url)) {
      metadata.url = std::move(*url);
    } else {
      r.ctx().add(r.path_of("url"), "must be a postgres:// or postgresql:// URL");
    }
  }
  r.check_keys(kPostgresMetadataKeys, kMetadataKeys, "the postgres metadata backend");
  return metadata;
}

LoggingConfig read_logging(Context& ctx, const YAML::Node* node) {
  LoggingConfig logging;
  if (skip_section(ctx, node, "logging")) return logging;
  MapReader r(ctx, *node, "logging");
  if (auto level = r.optional_choice("level", kLevels)) logging.level = std::move(*level);
  if (auto format = r.optional_choice("format", kFormats)) logging.format = std::move(*format);
  r.check_keys(kLoggingKeys, kLoggingKeys, "");
  return logging;
}

AlertsConfig read_alerts(Context& ctx, const YAML::Node* node) {
  AlertsConfig alerts;
  if (skip_section(ctx, node, "alerts")) return alerts;
  MapReader r(ctx, *node, "alerts");
  alerts.cooldown_minutes = r.integer_or("cooldown_minutes", 0, 10080, alerts.cooldown_minutes);
  alerts.sinks = read_sinks(ctx, r.find("sinks"), r.path_of("sinks"));
  r.check_keys(kAlertsKeys, kAlertsKeys, "");
  return alerts;
}

}  // namespace freshguard::config::detail
