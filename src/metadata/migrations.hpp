#pragma once
// Private to the metadata component: each backend's migrations, oldest first.

#include <span>

#include "metadata/codec.hpp"

namespace freshguard::metadata_detail {

std::span<const Migration> sqlite_migrations() noexcept;
std::span<const Migration> postgres_migrations() noexcept;

}  // namespace freshguard::metadata_detail
