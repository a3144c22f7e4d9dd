#pragma once
// Small text helpers the connectors share: ASCII case-insensitive comparison (catalog names
// are matched exactly, else ignoring case) and base URLs without trailing slashes.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include <freshguard/sql/schema.hpp>

namespace freshguard::connectors {

using sql::iequals;

/// `url` without trailing '/' (REST paths are appended with their own leading '/').
inline std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

}  // namespace freshguard::connectors
