#include <freshguard/metadata/factory.hpp>
#include <freshguard/metadata/postgres_store.hpp>
#include <freshguard/metadata/sqlite_store.hpp>

namespace freshguard {

std::unique_ptr<MetadataStore> open_metadata_store(const config::MetadataConfig& metadata,
                                                   StoreCreation creation, const Clock& clock) {
  if (metadata.backend == config::MetadataBackend::kPostgres) {
    PostgresStoreOptions o;
    o.url = metadata.url;
    o.clock = &clock;
    return std::make_unique<PostgresMetadataStore>(std::move(o));
  }
  SqliteStoreOptions o;
  o.path = metadata.path;
  o.create = creation == StoreCreation::kCreate;
  o.clock = &clock;
  return std::make_unique<SqliteMetadataStore>(std::move(o));
}

}  // namespace freshguard
