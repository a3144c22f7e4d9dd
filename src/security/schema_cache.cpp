#include <future>
#include <list>
#include <mutex>
#include <unordered_map>

#include <freshguard/core/error.hpp>
#include <freshguard/security/schema_cache.hpp>

namespace freshguard::security {
namespace {

using SchemaPtr = std::shared_ptr<const TableSchema>;

std::string key_of(std::string_view source, const sql::QualifiedName& table) {
  std::string key(source);
  key += '\x1f';  // cannot appear in a source name that came from YAML keys we accept
  key += table.display();
  return key;
}

}  // namespace

struct SchemaCache::State {
  struct Entry {
    SchemaPtr value;  // null while only a load is in flight
    SteadyTime loaded_at{};
    std::list<std::string>::iterator lru;  // valid when value is set
    std::shared_future<SchemaPtr> flight;  // valid while a load is in flight
    std::uint64_t flight_id = 0;           // which load may store its result
  };

  mutable std::mutex mu;
  std::unordered_map<std::string, Entry> entries;
  std::list<std::string> lru;  // front: most recently used
  std::uint64_t next_flight = 1;
  SchemaCacheStats stats;

  void drop_value(Entry& e) {
    if (!e.value) return;
    lru.erase(e.lru);
    e.value.reset();
  }

  void store(const std::string& key, Entry& e, SchemaPtr value, SteadyTime now,
             std::size_t max_entries) {
    drop_value(e);
    e.value = std::move(value);
    e.loaded_at = now;
    lru.push_front(key);
    e.lru = lru.begin();
    while (lru.size() > max_entries) {
      const std::string victim = lru.back();
      Entry& v = entries.at(victim);
      drop_value(v);
      if (!v.flight.valid()) entries.erase(victim);
      ++stats.evictions;
    }
  }
};

SchemaCache::SchemaCache(SchemaCacheOptions options)
    : options_(options), state_(std::make_unique<State>()) {
  if (options_.clock == nullptr) options_.clock = &SystemClock::instance();
  if (options_.max_entries == 0) options_.max_entries = 1;
}

SchemaCache::~SchemaCache() = default;

std::shared_ptr<const TableSchema> SchemaCache::get(std::string_view source,
                                                    const sql::QualifiedName& table,
                                                    const Loader& load) {
  const std::string key = key_of(source, table);
  std::promise<SchemaPtr> promise;
  std::uint64_t my_flight = 0;
  {
    std::unique_lock lock(state_->mu);
    auto& e = state_->entries[key];
    const SteadyTime now = options_.clock->steady_now();
    if (e.value && now - e.loaded_at < options_.ttl) {
      state_->lru.splice(state_->lru.begin(), state_->lru, e.lru);
      ++state_->stats.hits;
      return e.value;
    }
    if (e.flight.valid()) {
      auto flight = e.flight;
      ++state_->stats.shared_loads;
      lock.unlock();
      return flight.get();  // rethrows the loader's exception
    }
    state_->drop_value(e);  // expired
    ++state_->stats.misses;
    my_flight = state_->next_flight++;
    e.flight_id = my_flight;
    e.flight = promise.get_future().share();
  }
  try {
    auto value = std::make_shared<const TableSchema>(load());
    {
      std::lock_guard lock(state_->mu);
      ++state_->stats.loads;
      auto it = state_->entries.find(key);
      if (it != state_->entries.end() && it->second.flight_id == my_flight) {
        it->second.flight = {};
        if (options_.ttl > std::chrono::seconds(0)) {
          state_->store(key, it->second, value, options_.clock->steady_now(), options_.max_entries);
        } else if (!it->second.value) {
          state_->entries.erase(it);
        }
      }
    }
    promise.set_value(value);
    return value;
  } catch (...) {
    {
      std::lock_guard lock(state_->mu);
      ++state_->stats.loads;
      auto it = state_->entries.find(key);
      if (it != state_->entries.end() && it->second.flight_id == my_flight) {
        it->second.flight = {};
        if (!it->second.value) state_->entries.erase(it);
      }
    }
    promise.set_exception(std::current_exception());
    throw;
  }
}

void SchemaCache::put(std::string_view source, const sql::QualifiedName& table,
                      TableSchema schema) {
  if (options_.ttl <= std::chrono::seconds(0)) return;
  const std::string key = key_of(source, table);
  auto value = std::make_shared<const TableSchema>(std::move(schema));
  std::lock_guard lock(state_->mu);
  state_->store(key, state_->entries[key], std::move(value), options_.clock->steady_now(),
                options_.max_entries);
}

bool SchemaCache::invalidate(std::string_view source, const sql::QualifiedName& table) {
  std::lock_guard lock(state_->mu);
  auto it = state_->entries.find(key_of(source, table));
  if (it == state_->entries.end()) return false;
  state_->drop_value(it->second);
  if (it->second.flight.valid()) {
    it->second.flight = {};
    it->second.flight_id = 0;  // the load in flight answers its waiters but is not kept
  }
  state_->entries.erase(it);
  ++state_->stats.invalidations;
  return true;
}

void SchemaCache::clear() {
  std::lock_guard lock(state_->mu);
  state_->entries.clear();
  state_->lru.clear();
}

SchemaCacheStats SchemaCache::stats() const {
  std::lock_guard lock(state_->mu);
  SchemaCacheStats s = state_->stats;
  s.size = state_->lru.size();
  return s;
}

const ColumnInfo& find_column_or_throw(const TableSchema& schema, std::string_view name,
                                       std::string_view where) {
  std::size_t index = 0;
  const auto match = sql::pick_by_name(
      schema.columns.size(), name,
      [&](std::size_t i) -> std::string_view { return schema.columns[i].name; }, index);
  if (match == sql::NameMatch::kFound) return schema.columns[index];
  const std::string suffix = where.empty() ? std::string() : " of " + std::string(where);
  if (match == sql::NameMatch::kAmbiguous) {
    throw QueryError("column name \"" + std::string(name) + "\" matches several in " +
                     schema.table.display() + suffix +
                     " that differ only by case; write it exactly as defined");
  }
  throw QueryError("column \"" + std::string(name) + "\" not found in " + schema.table.display() +
                   suffix);
}

}  // namespace freshguard::security
