#pragma once
/// Opens the metadata store a configuration names.

#include <memory>

#include <freshguard/config/config.hpp>
#include <freshguard/core/clock.hpp>
#include <freshguard/metadata/store.hpp>

namespace freshguard {

/// How open_metadata_store treats a SQLite store that does not exist yet.
enum class StoreCreation {
  kCreate,     ///< create the file and its folder
  kMustExist,  ///< a missing file is a MetadataError (for read-only commands)
};

/// Opens the store of `metadata` (SQLite file at metadata.path, or PostgreSQL at
/// metadata.url) and applies pending migrations (a PostgreSQL database is always usable:
/// `creation` concerns SQLite files). Throws MetadataError when the store cannot be opened
/// or migrated. `clock` must outlive the store.
std::unique_ptr<MetadataStore> open_metadata_store(const config::MetadataConfig& metadata,
                                                   StoreCreation creation = StoreCreation::kCreate,
                                                   const Clock& clock = SystemClock::instance());

}  // namespace freshguard
