#include "config/env_interpolation.hpp"

#include <cstdlib>

namespace freshguard::config {
namespace detail {
namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_part(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

// Expands the body of one `${...}` reference (the text between the braces) into `out`.
// `position` is the 1-based position of the `$`, used in messages.
void expand_reference(std::string_view body, std::size_t position, const EnvLookup& env,
                      Interpolation& out) {
  const auto separator = body.find(":-");
  const auto name = body.substr(0, separator);
  const auto where = " at position " + std::to_string(position);
  if (!is_variable_name(name)) {
    out.errors.push_back("invalid variable reference" + where +
                         ": write ${NAME} or ${NAME:-default}, where NAME has letters, digits "
                         "and underscores and does not start with a digit (write $$ for a "
                         "literal $)");
    return;
  }
  out.used_variables = true;
  std::optional<std::string> value = env ? env(std::string(name)) : std::nullopt;
  if (separator == std::string_view::npos) {
    if (value) {
      out.value += *value;
    } else {
      out.errors.push_back("environment variable " + std::string(name) + " is not set");
    }
    return;
  }
  const auto fallback = body.substr(separator + 2);
  if (fallback.find("${") != std::string_view::npos) {
    out.errors.push_back("nested variable reference" + where +
                         ": a default value cannot contain ${...}");
    return;
  }
  out.value += (value && !value->empty()) ? *value : std::string(fallback);
}

}  // namespace

bool is_variable_name(std::string_view name) noexcept {
  if (name.empty() || !is_name_start(name.front())) return false;
  for (char c : name) {
    if (!is_name_part(c)) return false;
  }
  return true;
}

Interpolation interpolate(std::string_view text, const EnvLookup& env) {
  Interpolation out;
  out.value.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c != '$' || (next != '$' && next != '{')) {
      out.value += c;
      ++i;
      continue;
    }
    if (next == '$') {
      out.value += '$';
      i += 2;
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      out.errors.push_back("unterminated \"${\" at position " + std::to_string(i + 1) +
                           ": close it with \"}\" (write $$ for a literal $)");
      break;
    }
    expand_reference(text.substr(i + 2, close - i - 2), i + 1, env, out);
    i = close + 1;
  }
  return out;
}

}  // namespace detail

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    // std::getenv is safe here: FreshGuard never modifies its own environment.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace freshguard::config
