#pragma once
// The backends the store suite (store_test.cpp) runs against. Each test gets a fresh, empty
// database; `open` opens (and migrates) it, and later calls reopen the same one.

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <freshguard/metadata/postgres_store.hpp>
#include <freshguard/metadata/sqlite_store.hpp>
#include <freshguard/metadata/store.hpp>

#include "support/pg_test_server.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::testing {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual std::unique_ptr<MetadataStore> open() = 0;
  /// Why the backend cannot run here; empty when it can.
  virtual std::string unavailable() const { return {}; }
};

struct BackendFactory {
  std::string name;
  std::function<std::unique_ptr<StoreBackend>()> make;
  friend void PrintTo(const BackendFactory& b, std::ostream* os) { *os << b.name; }
};

/// A SQLite file in a temporary folder that does not exist yet (the store creates it).
class SqliteBackend final : public StoreBackend {
 public:
  std::unique_ptr<MetadataStore> open() override {
    SqliteStoreOptions o;
    o.path = dir_ / "state" / "metadata.db";
    return std::make_unique<SqliteMetadataStore>(std::move(o));
  }

 private:
  TempDir dir_;
};

/// A fresh schema on the PostgreSQL test server (scripts/pg-test-server.sh), dropped
/// afterwards; the store reaches it through the URL's search_path.
class PostgresBackend final : public StoreBackend {
 public:
  PostgresBackend() : server_(PgServer::get()) {
    if (server_ == nullptr) return;
    static int counter = 0;
    schema_ = "fg_store_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    PgRaw(*server_, false).exec("CREATE SCHEMA " + schema_);
  }
  ~PostgresBackend() override {
    if (server_ != nullptr) PgRaw(*server_, false).exec("DROP SCHEMA " + schema_ + " CASCADE");
  }

  std::unique_ptr<MetadataStore> open() override {
    PostgresStoreOptions o;
    o.url = url();
    return std::make_unique<PostgresMetadataStore>(std::move(o));
  }

  std::string unavailable() const override {
    return server_ == nullptr ? "no PostgreSQL test server (run under scripts/pg-test-server.sh "
                                "run -- ...)"
                              : "";
  }

  std::string url() const {
    return "postgresql://" + server_->user + ":" + server_->password + "@" + server_->host + ":" +
           server_->port + "/" + server_->db + "?sslmode=verify-full&sslrootcert=" + server_->ca +
           "&options=-csearch_path%3D" + schema_;
  }
  const std::string& schema() const { return schema_; }

 private:
  const PgServer* server_;
  std::string schema_;
};

inline std::vector<BackendFactory> store_backends() {
  return {
      {"sqlite", [] { return std::make_unique<SqliteBackend>(); }},
      {"postgres", [] { return std::make_unique<PostgresBackend>(); }},
  };
}

}  // namespace freshguard::testing
