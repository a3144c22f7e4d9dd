#pragma once
/// Typed SQL identifiers. An Identifier can only be made by validation, so holding one is
/// proof that the text matches `^[A-Za-z_][A-Za-z0-9_]*$` and fits the length limit. SQL text
/// is built from these and a Dialect's quoting; a bare std::string is never spliced into SQL.

#include <optional>
#include <string>
#include <string_view>

namespace freshguard::sql {

/// Longest identifier accepted anywhere (bytes). Dialects may impose a lower limit.
inline constexpr std::size_t kMaxIdentifierLength = 128;

/// A validated identifier (table, column or schema name). Immutable, cheap to copy.
class Identifier {
 public:
  /// Validates `text`. Throws SecurityError saying what is wrong (the offending character
  /// and its position, or the length), without echoing the whole input. `what` names the
  /// role in messages ("table name", "column name").
  static Identifier parse(std::string_view text, std::string_view what = "identifier");
  /// Like parse, but returns nullopt instead of throwing.
  static std::optional<Identifier> try_parse(std::string_view text) noexcept;

  const std::string& str() const noexcept { return text_; }
  friend bool operator==(const Identifier& a, const Identifier& b) = default;

 private:
  explicit Identifier(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

/// `schema.table` or `table`. The schema is optional; each connector supplies its default.
struct QualifiedName {
  std::optional<Identifier> schema;
  Identifier name;

  /// Parses `table` or `schema.table`. Throws SecurityError on more than two parts, empty
  /// parts or an invalid part.
  static QualifiedName parse(std::string_view text, std::string_view what = "table name");
  /// `schema.table` or `table`, unquoted (for messages and logs; never for SQL).
  std::string display() const;
  friend bool operator==(const QualifiedName& a, const QualifiedName& b) = default;
};

/// Describes why `text` is not a valid identifier, or returns nullopt when it is valid.
/// The description never contains the input except for one offending character.
std::optional<std::string> identifier_problem(std::string_view text);

}  // namespace freshguard::sql
