#include <cstdio>

#include <freshguard/core/error.hpp>
#include <freshguard/sql/identifier.hpp>

namespace freshguard::sql {
namespace {

bool is_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_part(char c) {
  return is_start(c) || (c >= '0' && c <= '9');
}

// Shows one character safely: printable ASCII quoted, anything else as a byte code.
std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u == ' ') return "a space";
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", u);
  return buf;
}

}  // namespace

std::optional<std::string> identifier_problem(std::string_view text) {
  if (text.empty()) return std::string("must not be empty");
  if (text.size() > kMaxIdentifierLength) {
    return "is " + std::to_string(text.size()) + " characters long; the limit is " +
           std::to_string(kMaxIdentifierLength);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 0 && !is_start(c)) {
      if (c >= '0' && c <= '9') return std::string("must not start with a digit");
      return "must start with a letter or underscore, found " + describe_char(c);
    }
    if (!is_part(c)) {
      return "contains " + describe_char(c) + " at position " + std::to_string(i + 1) +
             "; only letters, digits and underscores are allowed";
    }
  }
  return std::nullopt;
}

Identifier Identifier::parse(std::string_view text, std::string_view what) {
  if (auto problem = identifier_problem(text)) {
    throw SecurityError("invalid " + std::string(what) + ": " + *problem);
  }
  return Identifier(std::string(text));
}

std::optional<Identifier> Identifier::try_parse(std::string_view text) noexcept {
  if (identifier_problem(text)) return std::nullopt;
  try {
    return Identifier(std::string(text));
  } catch (...) {
    return std::nullopt;
  }
}

QualifiedName QualifiedName::parse(std::string_view text, std::string_view what) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) {
    return QualifiedName{std::nullopt, Identifier::parse(text, what)};
  }
  if (text.find('.', dot + 1) != std::string_view::npos) {
    throw SecurityError("invalid " + std::string(what) +
                        ": too many parts; write table or schema.table");
  }
  auto schema = Identifier::parse(text.substr(0, dot), std::string(what) + " (schema part)");
  auto name = Identifier::parse(text.substr(dot + 1), what);
  return QualifiedName{std::move(schema), std::move(name)};
}

std::string QualifiedName::display() const {
  return schema ? schema->str() + "." + name.str() : name.str();
}

}  // namespace freshguard::sql
