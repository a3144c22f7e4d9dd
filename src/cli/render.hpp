#pragma once
// Rendering of check results: an aligned table for people, a JSON document for machines.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <freshguard/core/check_result.hpp>
#include <freshguard/metadata/result_json.hpp>
#include <freshguard/metadata/store.hpp>
#include <freshguard/observability/redact.hpp>

namespace freshguard::cli {

/// Counts by status.
struct Summary {
  int total = 0;
  int ok = 0;
  int alert = 0;
  int error = 0;
};
Summary summarize(const std::vector<CheckResult>& results);

/// What became of the results in the metadata store.
struct HistoryOutcome {
  enum class State { kRecorded, kDisabled, kFailed };
  State state = State::kDisabled;
  int recorded = 0;
  std::int64_t pruned = 0;
  std::optional<CheckError> error;  ///< set when kFailed (message already redacted)
};

/// The whole `check --format json` document; with `history`, a `history` object saying
/// whether the results were recorded.
void render_json(const std::vector<CheckResult>& results, WallTime started,
                 const obs::Redactor& redactor, std::ostream& out,
                 const HistoryOutcome* history = nullptr);

/// The `check` table: one row per rule and a summary line.
void render_table(const std::vector<CheckResult>& results, const obs::Redactor& redactor,
                  std::ostream& out);

/// Prints rows as columns padded to the widest cell; the first row is the header. Cells are
/// made printable (obs::append_printable): a name or message from a database cannot drive the
/// terminal.
void print_columns(const std::vector<std::vector<std::string>>& rows, std::ostream& out);

/// `doc` serialised with two-space indents for stdout: invalid UTF-8 replaced and no terminal
/// control byte left raw (obs::escape_json_controls).
std::string dump_json(const nlohmann::json& doc);

}  // namespace freshguard::cli
