#pragma once
/// Build identification.

#include <string_view>

namespace freshguard {

/// The FreshGuard version, e.g. "0.1.0".
std::string_view version() noexcept;

}  // namespace freshguard
