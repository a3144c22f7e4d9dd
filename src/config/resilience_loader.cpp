// Reads a source's resilience settings: `circuit_breaker:` and `retry:`.

#include "config/resilience_loader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace freshguard::config::detail {
namespace {

constexpr std::string_view kBreakerKeys[] = {"enabled",
                                             "mode",
                                             "failure_threshold",
                                             "success_threshold",
                                             "reset_timeout_ms",
                                             "half_open_max_calls",
                                             "window_size",
                                             "minimum_calls",
                                             "failure_rate_threshold"};
constexpr std::string_view kRetryKeys[] = {"enabled",    "max_attempts", "base_delay_ms",
                                           "multiplier", "max_delay_ms", "jitter"};
constexpr std::string_view kModeNames[] = {"consecutive", "failure_rate"};
constexpr std::string_view kJitterNames[] = {"full", "proportional", "none"};

constexpr double kMinMultiplier = 1.0;
constexpr double kMaxMultiplier = 10.0;

// A YAML boolean, as yaml-cpp spells the common forms.
std::optional<bool> parse_bool(std::string_view text) {
  static constexpr std::pair<std::string_view, bool> kSpellings[] = {
      {"true", true},   {"True", true},   {"TRUE", true},   {"yes", true},
      {"false", false}, {"False", false}, {"FALSE", false}, {"no", false},
  };
  for (const auto& [spelling, value] : kSpellings) {
    if (spelling == text) return value;
  }
  return std::nullopt;
}

void read_flag(MapReader& r, std::string_view key, bool& out) {
  const auto* node = r.find(key);
  if (node == nullptr) return;
  const auto path = r.path_of(key);
  const auto scalar = read_scalar(r.ctx(), *node, path, "true or false");
  if (!scalar) return;
  if (const auto value = parse_bool(scalar->value)) {
    out = *value;
    return;
  }
  r.ctx().add(path, "must be true or false, got " + scalar->describe());
}

void read_enabled(MapReader& r, bool& out) {
  read_flag(r, "enabled", out);
}

void read_multiplier(MapReader& r, double& out) {
  const auto* node = r.find("multiplier");
  if (node == nullptr) return;
  const auto path = r.path_of("multiplier");
  const auto scalar = read_scalar(r.ctx(), *node, path, "a number");
  if (!scalar) return;
  const auto& text = scalar->value;
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    r.ctx().add(path, "must be a number, got " + scalar->describe());
    return;
  }
  if (value < kMinMultiplier || value > kMaxMultiplier) {
    r.ctx().add(path, "must be between 1.0 and 10.0, got " + text);
    return;
  }
  out = value;
}

// The map under `key`, or nullopt (with a problem when it is there but not a map).
const YAML::Node* section(MapReader& parent, std::string_view key) {
  const auto* node = parent.find(key);
  if (node == nullptr) return nullptr;
  if (!node->IsMap()) {
    parent.ctx().add(parent.path_of(key), "must be a map of settings, got " + describe_node(*node));
    return nullptr;
  }
  return node;
}

void read_breaker(MapReader& parent, CircuitBreakerConfig& cb) {
  const auto* node = section(parent, "circuit_breaker");
  if (node == nullptr) return;
  MapReader r(parent.ctx(), *node, parent.path_of("circuit_breaker"));
  read_enabled(r, cb.enabled);
  if (const auto mode = r.optional_choice("mode", kModeNames)) {
    cb.mode = *mode == kModeNames[0] ? CircuitBreakerMode::kConsecutive
                                     : CircuitBreakerMode::kFailureRate;
  }
  cb.failure_threshold = r.integer_or("failure_threshold", 1, 100, cb.failure_threshold);
  cb.success_threshold = r.integer_or("success_threshold", 1, 100, cb.success_threshold);
  cb.reset_timeout_ms = r.integer_or("reset_timeout_ms", 1000, 3600000, cb.reset_timeout_ms);
  cb.half_open_max_calls = r.integer_or("half_open_max_calls", 1, 100, cb.half_open_max_calls);
  cb.window_size = r.integer_or("window_size", 1, 1000, cb.window_size);
  cb.failure_rate_threshold =
      r.integer_or("failure_rate_threshold", 1, 100, cb.failure_rate_threshold);
  if (const auto minimum = r.optional_integer("minimum_calls", 1, 1000)) {
    cb.minimum_calls = static_cast<int>(*minimum);
    if (cb.minimum_calls > cb.window_size) {
      r.ctx().add(r.path_of("minimum_calls"), "must be at most window_size (" +
                                                  std::to_string(cb.window_size) + "), got " +
                                                  std::to_string(cb.minimum_calls));
    }
  } else {
    // The default minimum follows a smaller window down, so `window_size: 5` alone is valid.
    cb.minimum_calls = std::min(cb.minimum_calls, cb.window_size);
  }
  r.check_keys(kBreakerKeys, kBreakerKeys, "circuit_breaker");
}

void read_retry(MapReader& parent, RetryConfig& retry) {
  const auto* node = section(parent, "retry");
  if (node == nullptr) return;
  MapReader r(parent.ctx(), *node, parent.path_of("retry"));
  read_enabled(r, retry.enabled);
  retry.max_attempts = r.integer_or("max_attempts", 1, 10, retry.max_attempts);
  retry.base_delay_ms = r.integer_or("base_delay_ms", 10, 60000, retry.base_delay_ms);
  read_multiplier(r, retry.multiplier);
  if (const auto max_delay = r.optional_integer("max_delay_ms", 10, 300000)) {
    retry.max_delay_ms = static_cast<int>(*max_delay);
    if (retry.max_delay_ms < retry.base_delay_ms) {
      r.ctx().add(r.path_of("max_delay_ms"), "must be at least base_delay_ms (" +
                                                 std::to_string(retry.base_delay_ms) + "), got " +
                                                 std::to_string(retry.max_delay_ms));
    }
  } else {
    // The default cap rises with a larger base delay, so `base_delay_ms: 10000` alone is valid.
    retry.max_delay_ms = std::max(retry.max_delay_ms, retry.base_delay_ms);
  }
  if (const auto jitter = r.optional_choice("jitter", kJitterNames)) {
    const auto* it = std::find(std::begin(kJitterNames), std::end(kJitterNames), *jitter);
    retry.jitter = static_cast<RetryJitter>(it - std::begin(kJitterNames));
  }
  r.check_keys(kRetryKeys, kRetryKeys, "retry");
}

}  // namespace

void read_resilience(MapReader& r, SourceConfig& source) {
  read_breaker(r, source.circuit_breaker);
  read_retry(r, source.retry);
  read_flag(r, "query_metrics", source.query_metrics);
}

}  // namespace freshguard::config::detail
