#include <algorithm>
#include <cctype>

#include <freshguard/sql/schema.hpp>

namespace freshguard {

const ColumnInfo* TableSchema::find_column(std::string_view name) const {
  std::size_t index = 0;
  const auto match = sql::pick_by_name(
      columns.size(), name, [&](std::size_t i) -> std::string_view { return columns[i].name; },
      index);
  return match == sql::NameMatch::kFound ? &columns[index] : nullptr;
}

namespace sql {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace sql
}  // namespace freshguard
