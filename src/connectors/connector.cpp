#include <algorithm>
#include <cctype>

#include <freshguard/connectors/connector.hpp>

namespace freshguard {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

const ColumnInfo* TableSchema::find_column(std::string_view name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  const ColumnInfo* found = nullptr;
  for (const auto& c : columns) {
    if (iequals(c.name, name)) {
      if (found != nullptr) return nullptr;  // ambiguous: two columns differ only by case
      found = &c;
    }
  }
  return found;
}

std::optional<std::int64_t> Connector::estimated_row_count(const sql::QualifiedName&) {
  return std::nullopt;
}

}  // namespace freshguard
