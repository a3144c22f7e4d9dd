#pragma once
/// Internal to the config component: `${VAR}` interpolation of string values.

#include <string>
#include <string_view>
#include <vector>

#include <freshguard/config/config.hpp>

namespace freshguard::config::detail {

/// The outcome of interpolating one string value.
struct Interpolation {
  /// The text with every reference replaced (references that failed are left out).
  std::string value;
  /// One message per failed reference, safe to show: never contains the text itself, only
  /// variable names and positions.
  std::vector<std::string> errors;
  /// True when the text held at least one `${...}` reference.
  bool used_variables = false;
};

/// Replaces `${NAME}` with the value of NAME from `env`, `${NAME:-default}` with the value
/// when NAME is set and non-empty and with `default` otherwise, and `$$` with `$`. A `$`
/// followed by anything else is kept as is. NAME is `[A-Za-z_][A-Za-z0-9_]*`. An unset
/// variable without a default, an unclosed `${`, an invalid name and a nested reference in a
/// default are errors. Values taken from `env` are not interpolated again.
Interpolation interpolate(std::string_view text, const EnvLookup& env);

/// True when `name` is a valid environment variable name for `${NAME}`.
bool is_variable_name(std::string_view name) noexcept;

}  // namespace freshguard::config::detail
