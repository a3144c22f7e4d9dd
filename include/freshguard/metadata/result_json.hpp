#pragma once
/// Check results and recorded executions as the contract's JSON objects (`check --format
/// json`, `history --format json`, the status API), and the `check.finished` log event:
/// shared by the CLI and the daemon.

#include <string_view>

#include <nlohmann/json.hpp>

#include <freshguard/core/check_result.hpp>
#include <freshguard/metadata/store.hpp>
#include <freshguard/observability/redact.hpp>

namespace freshguard {

/// One result as the contract's JSON object. Text fields pass through `redactor`.
nlohmann::json result_to_json(const CheckResult& r, const obs::Redactor& redactor);

/// One recorded execution as `history --format json` prints it (text fields redacted).
nlohmann::json execution_json(const ExecutionRecord& e, const obs::Redactor& redactor);

/// Logs one finished check as a `check.finished` event of `component` (error level when the
/// check could not run, info otherwise).
void log_check_result(const CheckResult& r, std::string_view component);

}  // namespace freshguard
