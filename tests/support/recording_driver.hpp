#pragma once
// A Driver around a real one that records the text of every data query it is given: what
// an embedded engine (SQLite, DuckDB) receives, for the tests comparing it with explain.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <freshguard/connectors/driver.hpp>

namespace freshguard::testing {

class RecordingDriver final : public connectors::Driver {
 public:
  /// Appends each data query's text to `*sent` (guarded by `*mu`); both must outlive it.
  RecordingDriver(std::unique_ptr<connectors::Driver> inner, std::vector<std::string>* sent,
                  std::mutex* mu)
      : inner_(std::move(inner)), sent_(sent), mu_(mu) {}

  const sql::Dialect& dialect() const noexcept override { return inner_->dialect(); }
  std::optional<sql::Identifier> default_schema() const override {
    return inner_->default_schema();
  }
  std::string catalog_name() const override { return inner_->catalog_name(); }
  void ping(bool first) override { inner_->ping(first); }
  std::vector<sql::QualifiedName> list_tables() override { return inner_->list_tables(); }
  std::vector<TableSchema> describe(const sql::QualifiedName& t) override {
    return inner_->describe(t);
  }
  sql::Value run(const sql::AggregateQuery& q, const std::string& text) override {
    {
      const std::lock_guard lock(*mu_);
      sent_->push_back(text);
    }
    return inner_->run(q, text);
  }
  void check_cost(const std::string& text, std::string_view what) override {
    inner_->check_cost(text, what);
  }
  std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& t) override {
    return inner_->catalog_stats(t);
  }
  bool can_read_query() const noexcept override { return inner_->can_read_query(); }
  QueryRows read_query(std::string_view sql) override { return inner_->read_query(sql); }
  std::optional<connectors::PoolStatus> pool_status() const override {
    return inner_->pool_status();
  }

 private:
  std::unique_ptr<connectors::Driver> inner_;
  std::vector<std::string>* sent_;
  std::mutex* mu_;
};

}  // namespace freshguard::testing
