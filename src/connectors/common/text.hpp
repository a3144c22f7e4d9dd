#pragma once
// Small text helpers the connectors share: ASCII case-insensitive comparison (catalog names
// are matched exactly, else ignoring case) and base URLs without trailing slashes.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace freshguard::connectors {

/// True when `a` and `b` are equal ignoring ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

/// `url` without trailing '/' (REST paths are appended with their own leading '/').
inline std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

}  // namespace freshguard::connectors
