// `freshguard history`: recent executions from the metadata store.

#include <algorithm>
#include <cstdio>
#include <ostream>

#include <nlohmann/json.hpp>

#include <freshguard/core/time.hpp>
#include <freshguard/metadata/factory.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/printable.hpp>

#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/render.hpp"

namespace freshguard::cli {
namespace {

double duration_ms(const ExecutionRecord& e) {
  return static_cast<double>(e.duration.count()) / 1000.0;
}

}  // namespace

namespace {

void render_history(const std::vector<ExecutionRecord>& records, bool json, std::ostream& out) {
  const obs::Redactor& redactor = obs::logger().redactor();
  if (json) {
    nlohmann::json doc = {{"executions", nlohmann::json::array()}};
    for (const auto& e : records)
      doc["executions"].push_back(execution_json(e, redactor));
    out << dump_json(doc) << '\n';
    return;
  }
  if (records.empty()) {
    out << "no executions recorded\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{
      {"CHECKED AT", "RULE", "STATUS", "DURATION", "DETAIL"}};
  for (const auto& e : records) {
    std::string status(to_string(e.status));
    if (e.status == CheckStatus::kAlert) status += " (" + std::string(to_string(e.severity)) + ")";
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f ms", duration_ms(e));
    std::string detail = redactor.redact(e.message);
    if (e.error_code) detail = std::string(to_string(*e.error_code)) + ": " + detail;
    rows.push_back({format_iso8601(std::chrono::floor<std::chrono::seconds>(e.checked_at)),
                    e.rule_id, status, ms, detail});
  }
  print_columns(rows, out);
  out << '\n'
      << records.size() << (records.size() == 1 ? " execution" : " executions")
      << ", newest first\n";
}

}  // namespace

int cmd_history(const GlobalOptions& g, const HistoryOptions& opts, std::ostream& out,
                std::ostream& err) {
  const bool json = opts.format == "json";
  auto cfg = load_and_setup(g, err, json ? &out : nullptr);
  if (!cfg) return kExitConfig;
  HistoryQuery query{opts.rule, opts.limit, std::nullopt};
  if (!opts.since.empty()) {
    query.since = parse_timestamp(opts.since, TimeZone::utc());
    if (!query.since) {
      err << "--since: expected a timestamp such as 2026-11-27T00:00:00Z, got \""
          << opts.since.substr(0, 40) << "\"\n";
      return kExitUsage;
    }
  }
  std::error_code ec;
  if (cfg->metadata.backend == config::MetadataBackend::kSqlite &&
      !std::filesystem::exists(cfg->metadata.path, ec)) {
    // Nothing was ever recorded; do not create an empty store for a read.
    err << "no history yet: " << cfg->metadata.path
        << " does not exist (freshguard check records every result)\n";
    render_history({}, json, out);
    return kExitOk;
  }
  try {
    auto store = open_metadata_store(cfg->metadata, StoreCreation::kMustExist);
    render_history(store->history(query), json, out);
    return kExitOk;
  } catch (const Error& e) {
    err << "history: " << to_string(e.code()) << ": "
        << obs::printable(obs::logger().redactor().redact(e.what())) << '\n';
    return kExitError;
  }
}

}  // namespace freshguard::cli
