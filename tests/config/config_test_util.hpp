#pragma once
/// Helpers shared by the config tests: an injected environment, YAML builders and problem
/// matchers.

#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

namespace freshguard::config::testing {

using Vars = std::map<std::string, std::string>;

/// An EnvLookup over a fixed map (tests never touch the process environment).
inline EnvLookup env_of(Vars vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline LoadResult load(std::string_view yaml, Vars vars = {},
                       const std::filesystem::path& file = {}) {
  return load_config_string(yaml, env_of(std::move(vars)), file);
}

/// Indents every line of `text` by `spaces`.
inline std::string indent(std::string_view text, int spaces) {
  std::istringstream in{std::string(text)};
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    out += std::string(static_cast<std::size_t>(spaces), ' ') + line + "\n";
  }
  return out;
}

/// A valid rule that uses source `src`.
inline constexpr std::string_view kValidRule =
    "rules:\n"
    "  - {id: r1, source: src, table: orders, type: freshness, timestamp_column: ts}\n";

/// A document with one source named `src` whose settings are `body` (block YAML lines).
inline std::string source_doc(std::string_view body) {
  return "sources:\n  src:\n" + indent(body, 4) + std::string(kValidRule);
}

/// A document with a valid sqlite source `db` and one rule whose fields are `body`.
inline std::string rule_doc(std::string_view body) {
  std::string items = indent(body, 4);
  items.replace(0, 4, "  - ");
  return "sources:\n  db: {type: sqlite, path: /data/db.sqlite}\nrules:\n" + items;
}

/// A valid freshness rule body on source `db`, followed by `extra` lines.
inline std::string freshness_rule(std::string_view extra = {}) {
  return rule_doc(
      "id: r1\nsource: db\ntable: orders\ntype: freshness\ntimestamp_column: updated_at\n" +
      std::string(extra));
}

/// A valid minimal document followed by `section` (a top-level section).
inline std::string doc_with(std::string_view section) {
  return "sources:\n  src: {type: sqlite, path: /data/db.sqlite}\n" + std::string(kValidRule) +
         std::string(section);
}

inline std::string describe(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += "  " + p.to_string() + (p.security ? " [security]" : "") + "\n";
  }
  return out.empty() ? "  (no problems)\n" : out;
}

/// True when some problem has exactly `path` and a message containing `text`.
inline ::testing::AssertionResult has_problem(const LoadResult& r, std::string_view path,
                                              std::string_view text) {
  for (const auto& p : r.problems) {
    if (p.path == path && p.message.find(text) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no problem at '" << path << "' containing '" << text << "'; problems:\n"
         << describe(r);
}

/// True when `r` has exactly one problem, at `path`, containing `text`.
inline ::testing::AssertionResult only_problem(const LoadResult& r, std::string_view path,
                                               std::string_view text) {
  if (r.problems.size() != 1 || r.config.has_value()) {
    return ::testing::AssertionFailure() << "expected exactly one problem; got:\n" << describe(r);
  }
  return has_problem(r, path, text);
}

/// True when loading succeeded.
inline ::testing::AssertionResult loads(const LoadResult& r) {
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected no problems; got:\n" << describe(r);
}

}  // namespace freshguard::config::testing
