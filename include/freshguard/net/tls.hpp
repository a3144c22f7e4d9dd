#pragma once
/// TLS modes of the server databases' connections (PostgreSQL, MySQL / MariaDB).

#include <string_view>

namespace freshguard::net {

/// `ssl: true` in a config means kVerifyFull, `ssl: false` kDisable.
enum class SslMode { kDisable, kRequire, kVerifyCa, kVerifyFull };

/// libpq's spelling: `disable`, `require`, `verify-ca`, `verify-full`.
constexpr std::string_view to_string(SslMode m) noexcept {
  switch (m) {
    case SslMode::kDisable:
      return "disable";
    case SslMode::kRequire:
      return "require";
    case SslMode::kVerifyCa:
      return "verify-ca";
    case SslMode::kVerifyFull:
      return "verify-full";
  }
  return "verify-full";
}

}  // namespace freshguard::net
