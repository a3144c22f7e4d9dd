#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include <freshguard/monitors/schema_diff.hpp>

namespace freshguard {
namespace {

// Whole phrases (text outside the parentheses) first, then single leading words.
const std::map<std::string, std::string, std::less<>>& synonyms() {
  static const std::map<std::string, std::string, std::less<>> kMap = {
      {"int", "integer"},
      {"int4", "integer"},
      {"int8", "bigint"},
      {"int2", "smallint"},
      {"character varying", "varchar"},
      {"char varying", "varchar"},
      {"character", "char"},
      {"bpchar", "char"},
      {"bool", "boolean"},
      {"decimal", "numeric"},
      {"float8", "double"},
      {"double precision", "double"},
      {"float4", "real"},
      {"timestamp without time zone", "timestamp"},
      {"timestamp with time zone", "timestamptz"},
      {"time without time zone", "time"},
      {"time with time zone", "timetz"},
  };
  return kMap;
}

// Lower case outside single quotes, whitespace runs collapsed, no spaces around ( ) and ,.
std::string canonical_spacing(std::string_view text) {
  std::string out;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    const bool space = !quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
    if (space) {
      if (!out.empty() && out.back() != ' ' && out.back() != '(' && out.back() != ',') out += ' ';
      continue;
    }
    if (!quoted && (c == ')' || c == ',' || c == '(') && !out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    out += quoted ? c : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

struct TypeParts {
  std::string head;    // before the parameters
  std::string params;  // "(...)" or empty
  std::string tail;    // after the parameters
};

TypeParts split_type(const std::string& t) {
  TypeParts p;
  const auto open = t.find('(');
  const auto close = open == std::string::npos ? std::string::npos : t.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    p.head = t;
    return p;
  }
  p.head = t.substr(0, open);
  if (!p.head.empty() && p.head.back() == ' ') p.head.pop_back();
  p.params = t.substr(open, close - open + 1);
  p.tail = t.substr(close + 1);
  if (!p.tail.empty() && p.tail.front() == ' ') p.tail.erase(0, 1);
  return p;
}

// A normalised type as a base name and its parameters.
struct ParsedType {
  std::string base;
  std::vector<std::string> params;
};

ParsedType parse_normalized(std::string_view t) {
  const TypeParts parts = split_type(std::string(t));
  ParsedType p;
  p.base = parts.tail.empty() ? parts.head : parts.head + " " + parts.tail;
  if (parts.params.size() > 2) {
    std::string inner = parts.params.substr(1, parts.params.size() - 2);
    std::size_t start = 0;
    while (true) {
      const auto comma = inner.find(',', start);
      p.params.push_back(inner.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return p;
}

std::optional<long long> number(const std::string& s) {
  long long v = 0;
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::optional<long long> param(const ParsedType& t, std::size_t i) {
  return i < t.params.size() ? number(t.params[i]) : std::nullopt;
}

int rank_in(std::string_view base, std::initializer_list<std::string_view> family) {
  int rank = 1;
  for (auto name : family) {
    if (name == base) return rank;
    ++rank;
  }
  return 0;
}

int int_rank(const ParsedType& t) {
  return rank_in(t.base, {"tinyint", "smallint", "mediumint", "integer", "bigint"});
}
int float_rank(const ParsedType& t) {
  return rank_in(t.base, {"real", "double"});
}
bool is_string(const ParsedType& t) {
  return rank_in(t.base, {"char", "varchar", "text", "nchar", "nvarchar", "string"}) > 0;
}

TypeChange by_order(long long before, long long after) {
  return after < before ? TypeChange::kNarrowing : TypeChange::kWidening;
}

// Length of a string type; nullopt = unbounded.
std::optional<long long> string_length(const ParsedType& t) {
  if (auto n = param(t, 0)) return n;
  if (t.base == "char" || t.base == "nchar") return 1;
  return std::nullopt;
}

TypeChange compare_strings(const ParsedType& a, const ParsedType& b) {
  const auto la = string_length(a);
  const auto lb = string_length(b);
  if (!lb) return TypeChange::kWidening;
  if (!la) return TypeChange::kNarrowing;
  return by_order(*la, *lb);
}

// numeric(p, s): integer digits p - s and scale s must both not shrink.
TypeChange compare_numerics(const ParsedType& a, const ParsedType& b) {
  const auto pa = param(a, 0);
  const auto pb = param(b, 0);
  if (!pb) return TypeChange::kWidening;
  if (!pa) return TypeChange::kNarrowing;
  const long long sa = param(a, 1).value_or(0);
  const long long sb = param(b, 1).value_or(0);
  return (*pb - sb < *pa - sa || sb < sa) ? TypeChange::kNarrowing : TypeChange::kWidening;
}

TypeChange compare_int_to_numeric(const ParsedType& a, const ParsedType& b) {
  constexpr long long kDigits[] = {3, 5, 7, 10, 19};  // tinyint .. bigint
  const auto p = param(b, 0);
  if (!p) return TypeChange::kWidening;
  const long long s = param(b, 1).value_or(0);
  return *p - s >= kDigits[int_rank(a) - 1] ? TypeChange::kWidening : TypeChange::kNarrowing;
}

// Same base, different parameters: numeric parameters must not shrink; listed values
// (enum('a','b')) must all remain.
TypeChange compare_params(const ParsedType& a, const ParsedType& b) {
  if (b.params.empty()) return TypeChange::kWidening;
  if (a.params.empty()) return TypeChange::kNarrowing;
  bool numeric = true;
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    if (!number(a.params[i]) || !param(b, i)) numeric = false;
  }
  if (numeric) {
    for (std::size_t i = 0; i < a.params.size(); ++i) {
      if (*param(b, i) < *param(a, i)) return TypeChange::kNarrowing;
    }
    return TypeChange::kWidening;
  }
  for (const auto& v : a.params) {
    if (std::find(b.params.begin(), b.params.end(), v) == b.params.end()) {
      return TypeChange::kNarrowing;
    }
  }
  return TypeChange::kWidening;
}

std::string describe_nullable(bool nullable) {
  return nullable ? "nullable" : "not null";
}

}  // namespace

std::string normalize_type(std::string_view declared) {
  const TypeParts p = split_type(canonical_spacing(declared));
  const auto& map = synonyms();
  const std::string phrase = p.tail.empty() ? p.head : p.head + " " + p.tail;
  if (auto it = map.find(phrase); it != map.end()) return it->second + p.params;
  std::string head = p.head;
  if (auto it = map.find(head); it != map.end()) head = it->second;
  return head + p.params + (p.tail.empty() ? "" : " " + p.tail);
}

TypeChange compare_types(std::string_view before, std::string_view after) {
  if (before == after) return TypeChange::kSame;
  const ParsedType a = parse_normalized(before);
  const ParsedType b = parse_normalized(after);
  if (int_rank(a) > 0 && int_rank(b) > 0) return by_order(int_rank(a), int_rank(b));
  if (float_rank(a) > 0 && float_rank(b) > 0) return by_order(float_rank(a), float_rank(b));
  if (int_rank(a) > 0 && float_rank(b) > 0) return TypeChange::kWidening;
  if (int_rank(a) > 0 && b.base == "numeric") return compare_int_to_numeric(a, b);
  if (is_string(a) && is_string(b)) return compare_strings(a, b);
  if (a.base == "numeric" && b.base == "numeric") return compare_numerics(a, b);
  if (a.base == b.base) return compare_params(a, b);
  return TypeChange::kIncompatible;
}

std::vector<SchemaChange> diff_schemas(std::span<const SchemaColumn> baseline,
                                       std::span<const SchemaColumn> current) {
  auto find = [](std::span<const SchemaColumn> cols, const std::string& name) {
    return std::find_if(cols.begin(), cols.end(),
                        [&](const SchemaColumn& c) { return c.name == name; });
  };
  std::vector<SchemaChange> out;
  for (const auto& old : baseline) {
    const auto now = find(current, old.name);
    if (now == current.end()) {
      out.push_back({SchemaChangeKind::kRemoved, old.name, old.type, "", old.nullable, std::nullopt,
                     ChangeSeverity::kHigh, "column removed"});
      continue;
    }
    const TypeChange tc = compare_types(old.type, now->type);
    if (tc != TypeChange::kSame) {
      const char* what = tc == TypeChange::kWidening    ? "widening"
                         : tc == TypeChange::kNarrowing ? "narrowing"
                                                        : "incompatible";
      out.push_back({SchemaChangeKind::kTypeChanged, old.name, old.type, now->type, old.nullable,
                     now->nullable,
                     tc == TypeChange::kWidening ? ChangeSeverity::kMedium : ChangeSeverity::kHigh,
                     std::string(what) + ": " + old.type + " -> " + now->type});
    }
    if (old.nullable != now->nullable) {
      out.push_back({SchemaChangeKind::kNullabilityChanged, old.name, old.type, now->type,
                     old.nullable, now->nullable, ChangeSeverity::kMedium,
                     describe_nullable(old.nullable) + " -> " + describe_nullable(now->nullable)});
    }
  }
  for (const auto& c : current) {
    if (find(baseline, c.name) != baseline.end()) continue;
    out.push_back({SchemaChangeKind::kAdded, c.name, "", c.type, std::nullopt, c.nullable,
                   ChangeSeverity::kLow, "column added"});
  }
  return out;
}

SchemaSnapshot snapshot_of(const std::string& rule_id, const TableSchema& schema,
                           WallTime captured_at) {
  SchemaSnapshot s;
  s.rule_id = rule_id;
  s.table = schema.table.display();
  s.captured_at = captured_at;
  for (const auto& c : schema.columns) {
    s.columns.push_back(SchemaColumn{c.name, normalize_type(c.type), c.nullable, c.position});
  }
  return s;
}

}  // namespace freshguard
