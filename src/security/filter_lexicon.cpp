#include "security/filter_lexicon.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace freshguard::security {
namespace {

struct OpName {
  std::string_view sql;
  sql::Op op;
};
constexpr std::array<OpName, 14> kOperators = {{
    {"=", sql::Op::kEq},
    {"<>", sql::Op::kNe},
    {"!=", sql::Op::kNe},
    {"<", sql::Op::kLt},
    {"<=", sql::Op::kLe},
    {">", sql::Op::kGt},
    {">=", sql::Op::kGe},
    {"+", sql::Op::kAdd},
    {"-", sql::Op::kSub},
    {"*", sql::Op::kMul},
    {"/", sql::Op::kDiv},
    {"%", sql::Op::kMod},
    {"||", sql::Op::kConcat},
    {"", sql::Op::kNone},
}};

constexpr std::array<FilterFunction, 17> kFunctions = {{
    {"lower", sql::Function::kLower, 1, 1},
    {"upper", sql::Function::kUpper, 1, 1},
    {"length", sql::Function::kLength, 1, 1},
    {"char_length", sql::Function::kLength, 1, 1},
    {"btrim", sql::Function::kTrim, 1, 1},
    {"trim", sql::Function::kTrim, 1, 1},
    {"ltrim", sql::Function::kLtrim, 1, 1},
    {"rtrim", sql::Function::kRtrim, 1, 1},
    {"substr", sql::Function::kSubstr, 2, 3},
    {"substring", sql::Function::kSubstr, 2, 3},
    {"replace", sql::Function::kReplace, 3, 3},
    {"coalesce", sql::Function::kCoalesce, 1, 32},
    {"nullif", sql::Function::kNullif, 2, 2},
    {"abs", sql::Function::kAbs, 1, 1},
    {"round", sql::Function::kRound, 1, 2},
    {"greatest", sql::Function::kGreatest, 2, 32},
    {"least", sql::Function::kLeast, 2, 32},
}};

struct TypeName {
  std::string_view name;
  sql::CastType type;
};
constexpr std::array<TypeName, 21> kTypes = {{
    {"text", sql::CastType::kText},           {"varchar", sql::CastType::kText},
    {"bpchar", sql::CastType::kText},         {"char", sql::CastType::kText},
    {"int2", sql::CastType::kInteger},        {"int4", sql::CastType::kInteger},
    {"int8", sql::CastType::kInteger},        {"int", sql::CastType::kInteger},
    {"integer", sql::CastType::kInteger},     {"smallint", sql::CastType::kInteger},
    {"bigint", sql::CastType::kInteger},      {"numeric", sql::CastType::kNumeric},
    {"decimal", sql::CastType::kNumeric},     {"float4", sql::CastType::kDouble},
    {"float8", sql::CastType::kDouble},       {"bool", sql::CastType::kBoolean},
    {"boolean", sql::CastType::kBoolean},     {"date", sql::CastType::kDate},
    {"timestamp", sql::CastType::kTimestamp}, {"timestamptz", sql::CastType::kTimestampTz},
    {"real", sql::CastType::kDouble},
}};

bool is_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr std::array<std::pair<std::string_view, sql::IntervalUnit>, 7> kUnits = {{
    {"second", sql::IntervalUnit::kSecond},
    {"minute", sql::IntervalUnit::kMinute},
    {"hour", sql::IntervalUnit::kHour},
    {"day", sql::IntervalUnit::kDay},
    {"week", sql::IntervalUnit::kWeek},
    {"month", sql::IntervalUnit::kMonth},
    {"year", sql::IntervalUnit::kYear},
}};

}  // namespace

std::optional<sql::Op> filter_operator(std::string_view name) noexcept {
  for (const auto& o : kOperators) {
    if (!o.sql.empty() && o.sql == name) return o.op;
  }
  return std::nullopt;
}

const FilterFunction* filter_function(std::string_view name) noexcept {
  for (const auto& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<sql::CastType> filter_cast_type(std::string_view name) noexcept {
  for (const auto& t : kTypes) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

std::optional<sql::IntervalUnit> filter_interval_unit(std::string_view name) noexcept {
  for (const auto& [word, unit] : kUnits) {
    if (word == name) return unit;
  }
  return std::nullopt;
}

bool is_decimal_literal(std::string_view s) noexcept {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  const auto e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.remove_prefix(1);
    if (!is_digits(exp)) return false;
  }
  const auto dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : mantissa.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  return (whole.empty() || is_digits(whole)) && (frac.empty() || is_digits(frac));
}

}  // namespace freshguard::security
