#pragma once
// The filter allowlist's vocabulary: the operators, functions, cast types and interval units a
// rule's `filter:` may name (security/filter.hpp), keyed by their PostgreSQL spelling, and the
// lexical checks of number literals. Pure lookups; thread-safe.

#include <cstddef>
#include <optional>
#include <string_view>

#include <freshguard/sql/expr.hpp>

namespace freshguard::security {

/// A function a filter may call, with the argument counts it takes.
struct FilterFunction {
  std::string_view name;
  sql::Function fn;
  std::size_t min_args;
  std::size_t max_args;
};

/// The binary operator spelled `name` (`=`, `<>`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`,
/// `/`, `%`, `||`), or nullopt.
std::optional<sql::Op> filter_operator(std::string_view name) noexcept;
/// The allowlisted function `name` (lower case, e.g. "btrim" for TRIM), or nullptr.
const FilterFunction* filter_function(std::string_view name) noexcept;
/// The plain type `name` (lower case, PostgreSQL's internal name such as "int4"), or nullopt.
std::optional<sql::CastType> filter_cast_type(std::string_view name) noexcept;
/// The interval unit `name` (singular, lower case: "day"), or nullopt.
std::optional<sql::IntervalUnit> filter_interval_unit(std::string_view name) noexcept;

/// A number as PostgreSQL's lexer writes a decimal: an optional `-`, digits, an optional
/// fraction and exponent.
bool is_decimal_literal(std::string_view s) noexcept;

}  // namespace freshguard::security
