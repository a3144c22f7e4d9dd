#pragma once
/// Internal to the config component: reads yaml-cpp nodes into typed values while collecting
/// every problem with the path of the offending value. yaml-cpp never appears in a public
/// header; only src/config includes this one.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <freshguard/config/config.hpp>

namespace freshguard::config::detail {

/// A list of key names (or of allowed values).
using NameList = std::span<const std::string_view>;

/// State shared by every reader during one load: the environment, the folder that relative
/// paths are resolved against, and the problems found so far. Not thread-safe.
class Context {
 public:
  /// `file` is the config file (empty when loading from a string); `env` must outlive this.
  Context(const EnvLookup& env, const std::filesystem::path& file);

  void add(std::string path, std::string message, bool security = false);
  /// Adds a security problem: "SECURITY_VIOLATION: " + `what` (a SecurityError's what()).
  void add_security(std::string path, std::string_view what);
  std::vector<ConfigProblem>& problems() noexcept { return problems_; }
  const EnvLookup& env() const noexcept { return env_; }
  /// `path` resolved against the config file's folder; unchanged when it is absolute or the
  /// config was loaded from a string.
  std::string resolve_path(const std::string& path) const;

 private:
  const EnvLookup& env_;
  bool has_file_;
  std::filesystem::path base_dir_;
  std::vector<ConfigProblem> problems_;
};

/// `parent.key`, or `key` when parent is empty.
std::string child_path(std::string_view parent, std::string_view key);
/// `parent[index]`.
std::string index_path(std::string_view parent, std::size_t index);
/// `text` in double quotes for messages, cut at 40 characters, control bytes escaped.
std::string quote_text(std::string_view text);
/// What a node is, for "got ..." messages: "a list", "a map", "nothing" or the quoted text.
std::string describe_node(const YAML::Node& node);

/// A scalar value after `${VAR}` interpolation.
struct Scalar {
  std::string value;      ///< interpolated text
  std::string raw;        ///< text as written in the file
  bool from_env = false;  ///< the raw text held a variable reference
  /// For messages: the quoted value, or the quoted raw reference when the value came from
  /// the environment (it might be a secret).
  std::string describe() const;
};

/// Reads a scalar and interpolates it. Adds a problem and returns nullopt when the node is a
/// list or a map (`must be <expected>, got a list`) or when interpolation fails.
std::optional<Scalar> read_scalar(Context& ctx, const YAML::Node& node, const std::string& path,
                                  std::string_view expected);

/// Parses an integer within [min, max]; adds a problem and returns nullopt otherwise.
std::optional<std::int64_t> parse_integer(Context& ctx, const Scalar& scalar,
                                          const std::string& path, std::int64_t min,
                                          std::int64_t max);

/// Validates an identifier (sql::Identifier::parse); a failure is a security problem.
bool check_identifier(Context& ctx, const std::string& path, std::string_view text,
                      std::string_view what);

/// True when `text` starts with http:// or https:// and has something after it.
bool is_http_url(std::string_view text) noexcept;

/// Reads one YAML map. Duplicate keys and non-string keys are reported on construction;
/// getters read known keys; check_keys reports the rest.
class MapReader {
 public:
  /// `node` must be a map.
  MapReader(Context& ctx, const YAML::Node& node, std::string path);

  Context& ctx() noexcept { return ctx_; }
  const std::string& path() const noexcept { return path_; }
  std::string path_of(std::string_view key) const { return child_path(path_, key); }
  /// The value of `key`; nullptr when the key is absent or its value is null (`key:`).
  const YAML::Node* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  /// Every key with its value, in file order (without duplicates).
  const std::vector<std::pair<std::string, YAML::Node>>& entries() const noexcept {
    return entries_;
  }

  /// A string setting; nullopt when absent or invalid (then a problem was added).
  std::optional<std::string> optional_string(std::string_view key);
  /// A non-empty string: "is required" when absent, "must not be empty" when empty.
  std::optional<std::string> required_string(std::string_view key);
  /// An integer in [min, max]; nullopt when absent or invalid.
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                               std::int64_t max);
  /// An integer in [min, max], or `fallback` when absent or invalid.
  int integer_or(std::string_view key, int min, int max, int fallback);
  /// One of `choices`; nullopt when absent or invalid.
  std::optional<std::string> optional_choice(std::string_view key, NameList choices);
  /// One of `choices`; "is required" when absent.
  std::optional<std::string> required_choice(std::string_view key, NameList choices);

  /// Reports every key not in `applicable`: "'k' does not apply to <owner>" when it is in
  /// `known` (a key of a sibling kind), else "unknown key 'k'" with a suggestion.
  void check_keys(NameList applicable, NameList known, std::string_view owner) const;

 private:
  Context& ctx_;
  std::string path_;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
};

/// The sections of the file, each in its own source file.
std::map<std::string, SourceConfig> read_sources(Context& ctx, const YAML::Node* node);
/// `source_names` holds every name under `sources:` (even invalid ones); when it is empty
/// (no usable sources section) a rule's `source` is not checked, to avoid a problem per rule.
std::vector<Rule> read_rules(Context& ctx, const YAML::Node* node,
                             const std::set<std::string>& source_names);
MetadataConfig read_metadata(Context& ctx, const YAML::Node* node);
/// Reports volume_anomaly rules whose baseline window is longer than the history retention.
void check_history_windows(Context& ctx, const std::vector<Rule>& rules,
                           const MetadataConfig& metadata);
LoggingConfig read_logging(Context& ctx, const YAML::Node* node);
AlertsConfig read_alerts(Context& ctx, const YAML::Node* node);

/// True when `name` is a valid rule id or source/sink name: 1-128 characters from
/// [A-Za-z0-9_.-].
bool is_valid_name(std::string_view name) noexcept;

}  // namespace freshguard::config::detail
