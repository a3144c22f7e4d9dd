#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include <freshguard/core/error.hpp>
#include <freshguard/sql/identifier.hpp>

#include "config/env_interpolation.hpp"
#include "config/suggest.hpp"

namespace freshguard::config::detail {
namespace {

constexpr std::size_t kMaxQuoted = 40;
constexpr std::size_t kMaxNameLength = 128;

bool contains(NameList list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string join(NameList names) {
  std::string out;
  for (const auto name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string range_message(std::int64_t min, std::int64_t max) {
  if (max == std::numeric_limits<std::int64_t>::max()) {
    return "must be at least " + std::to_string(min);
  }
  return "must be between " + std::to_string(min) + " and " + std::to_string(max);
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

Context::Context(const EnvLookup& env, const std::filesystem::path& file)
    : env_(env), has_file_(!file.empty()), base_dir_(file.parent_path()) {}

void Context::add(std::string path, std::string message, bool security) {
  problems_.push_back(ConfigProblem{std::move(path), std::move(message), security});
}

void Context::add_security(std::string path, std::string_view what) {
  add(std::move(path), "SECURITY_VIOLATION: " + std::string(what), true);
}

std::string Context::resolve_path(const std::string& path) const {
  const std::filesystem::path p(path);
  if (!has_file_ || p.is_absolute()) return path;
  return (base_dir_ / p).lexically_normal().string();
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string quote_text(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u == 0x7f || u == '"' || u == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out += text[i];
    }
  }
  if (text.size() > kMaxQuoted) out += "...";
  out += '"';
  return out;
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      return quote_text(node.Scalar());
    default:
      return "nothing";
  }
}

std::string Scalar::describe() const {
  return from_env ? "the value of " + quote_text(raw) : quote_text(value);
}

std::optional<Scalar> read_scalar(Context& ctx, const YAML::Node& node, const std::string& path,
                                  std::string_view expected) {
  if (!node.IsScalar()) {
    ctx.add(path, "must be " + std::string(expected) + ", got " + describe_node(node));
    return std::nullopt;
  }
  auto result = interpolate(node.Scalar(), ctx.env());
  for (auto& error : result.errors)
    ctx.add(path, std::move(error));
  if (!result.errors.empty()) return std::nullopt;
  return Scalar{std::move(result.value), node.Scalar(), result.used_variables};
}

std::optional<std::int64_t> parse_integer(Context& ctx, const Scalar& scalar,
                                          const std::string& path, std::int64_t min,
                                          std::int64_t max) {
  auto text = trim(scalar.value);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range && ptr == end) {
    ctx.add(path, range_message(min, max) + ", got " + scalar.describe());
    return std::nullopt;
  }
  if (text.empty() || ec != std::errc() || ptr != end) {
    ctx.add(path, "must be an integer, got " + scalar.describe());
    return std::nullopt;
  }
  if (value < min || value > max) {
    ctx.add(path, range_message(min, max) + ", got " + std::to_string(value));
    return std::nullopt;
  }
  return value;
}

bool check_identifier(Context& ctx, const std::string& path, std::string_view text,
                      std::string_view what) {
  try {
    (void)sql::Identifier::parse(text, what);
    return true;
  } catch (const SecurityError& e) {
    ctx.add_security(path, e.what());
    return false;
  }
}

bool is_http_url(std::string_view text) noexcept {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (text.size() > scheme.size() && text.substr(0, scheme.size()) == scheme) return true;
  }
  return false;
}

bool is_valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

MapReader::MapReader(Context& ctx, const YAML::Node& node, std::string path)
    : ctx_(ctx), path_(std::move(path)) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      ctx_.add(path_, "keys must be plain strings, got " + describe_node(it->first));
      continue;
    }
    const std::string key = it->first.Scalar();
    const bool duplicate = std::any_of(entries_.begin(), entries_.end(),
                                       [&key](const auto& entry) { return entry.first == key; });
    if (duplicate) {
      ctx_.add(path_of(key), "duplicate key '" + key + "'; each key may appear once");
      continue;
    }
    entries_.emplace_back(key, it->second);
  }
}

const YAML::Node* MapReader::find(std::string_view key) const {
  for (const auto& [name, value] : entries_) {
    if (name == key) return value.IsNull() ? nullptr : &value;
  }
  return nullptr;
}

std::optional<std::string> MapReader::optional_string(std::string_view key) {
  const auto* node = find(key);
  if (node == nullptr) return std::nullopt;
  auto scalar = read_scalar(ctx_, *node, path_of(key), "a string");
  if (!scalar) return std::nullopt;
  return std::move(scalar->value);
}

std::optional<std::string> MapReader::required_string(std::string_view key) {
  if (!has(key)) {
    ctx_.add(path_of(key), "is required");
    return std::nullopt;
  }
  auto value = optional_string(key);
  if (value && value->empty()) {
    ctx_.add(path_of(key), "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> MapReader::optional_integer(std::string_view key, std::int64_t min,
                                                        std::int64_t max) {
  const auto* node = find(key);
  if (node == nullptr) return std::nullopt;
  const auto path = path_of(key);
  auto scalar = read_scalar(ctx_, *node, path, "an integer");
  if (!scalar) return std::nullopt;
  return parse_integer(ctx_, *scalar, path, min, max);
}

int MapReader::integer_or(std::string_view key, int min, int max, int fallback) {
  const auto value = optional_integer(key, min, max);
  return value ? static_cast<int>(*value) : fallback;
}

std::optional<std::string> MapReader::optional_choice(std::string_view key, NameList choices) {
  const auto* node = find(key);
  if (node == nullptr) return std::nullopt;
  const auto path = path_of(key);
  auto scalar = read_scalar(ctx_, *node, path, "one of " + join(choices));
  if (!scalar) return std::nullopt;
  if (contains(choices, scalar->value)) return std::move(scalar->value);
  ctx_.add(path, "must be one of " + join(choices) + ", got " + scalar->describe() +
                     did_you_mean(scalar->value, choices));
  return std::nullopt;
}

std::optional<std::string> MapReader::required_choice(std::string_view key, NameList choices) {
  if (!has(key)) {
    ctx_.add(path_of(key), "is required (one of " + join(choices) + ")");
    return std::nullopt;
  }
  return optional_choice(key, choices);
}

void MapReader::check_keys(NameList applicable, NameList known, std::string_view owner) const {
  for (const auto& entry : entries_) {
    const auto& key = entry.first;
    if (contains(applicable, key)) continue;
    if (contains(known, key)) {
      ctx_.add(path_of(key), "'" + key + "' does not apply to " + std::string(owner));
      continue;
    }
    std::string message = "unknown key '" + key + "'";
    const auto hint = did_you_mean(key, applicable);
    message += hint.empty() ? did_you_mean(key, known) : hint;
    ctx_.add(path_of(key), std::move(message));
  }
}

}  // namespace freshguard::config::detail
