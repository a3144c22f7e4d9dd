// `freshguard explain`: for each rule, the SQL the engine would send and the analyser's
// verdict, without connecting to any database.

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <freshguard/config/rule_queries.hpp>
#include <freshguard/config/source_types.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/query.hpp>

#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/render.hpp"

namespace freshguard::cli {
namespace {

struct Explained {
  std::string purpose;  // what the query is for
  std::string sql;      // in the source's dialect
  bool accepted = false;
  std::string reason;  // why it was rejected
  std::string fingerprint;
  std::string normalized;
};

struct RuleExplanation {
  const Rule* rule = nullptr;
  std::string dialect;
  std::string note;  // e.g. a schema_change rule reads only the catalog
  std::vector<Explained> queries;
};

Explained explain_one(const std::string& purpose, const sql::AggregateQuery& q,
                      const sql::Dialect& dialect, const security::QueryGuard& guard) {
  Explained e;
  e.purpose = purpose;
  try {
    e.sql = q.render(dialect);
    const auto analysis = guard.check(q);
    e.accepted = true;
    e.fingerprint = analysis.fingerprint;
    e.normalized = analysis.normalized;
  } catch (const Error& ex) {  // refused by the analyser, or not expressible in the dialect
    e.reason = ex.what();
  }
  return e;
}

RuleExplanation explain_rule(const Rule& rule, const config::SourceConfig& source) {
  RuleExplanation out;
  out.rule = &rule;
  const sql::Dialect dialect = config::dialect_of(source.type);
  out.dialect = std::string(dialect.name());
  const security::QueryGuard guard;
  for (const auto& planned : config::planned_queries(rule, source)) {
    out.queries.push_back(explain_one(planned.purpose, planned.query, dialect, guard));
  }
  if (rule.type == RuleType::kSchemaChange) {
    out.note = "reads only the catalog (columns, types, primary key); no data query";
  } else if (rule.type == RuleType::kFreshness && rule.freshness.timestamp_column.empty()) {
    out.note =
        "catalog method: the table's last-modified time and row count from its metadata "
        "(BigQuery tables.get, Snowflake INFORMATION_SCHEMA.TABLES); no data query";
  }
  return out;
}

void render_text(const std::vector<RuleExplanation>& all, std::ostream& out) {
  for (const auto& r : all) {
    out << "rule " << r.rule->id << " (" << to_string(r.rule->type) << ", source " << r.rule->source
        << ", " << r.dialect << ")\n";
    if (!r.note.empty()) out << "  " << r.note << '\n';
    for (const auto& q : r.queries) {
      out << "  " << q.purpose << ":\n    " << q.sql << '\n';
      if (q.accepted) {
        out << "    analyser: accepted, fingerprint " << q.fingerprint << '\n';
      } else {
        out << "    analyser: REJECTED: " << q.reason << '\n';
      }
    }
  }
  out << "Names are shown as written in the config; at run time they are resolved against the "
         "catalog first, and a missing table or column stops the check before any data query.\n";
}

void render_json(const std::vector<RuleExplanation>& all, std::ostream& out) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : all) {
    nlohmann::json queries = nlohmann::json::array();
    for (const auto& q : r.queries) {
      nlohmann::json j{{"purpose", q.purpose},
                       {"sql", q.sql},
                       {"verdict", q.accepted ? "accepted" : "rejected"}};
      if (q.accepted) {
        j["fingerprint"] = q.fingerprint;
        j["normalized"] = q.normalized;
      } else {
        j["reason"] = q.reason;
      }
      queries.push_back(std::move(j));
    }
    nlohmann::json j{{"rule_id", r.rule->id},
                     {"type", to_string(r.rule->type)},
                     {"source", r.rule->source},
                     {"dialect", r.dialect},
                     {"queries", std::move(queries)}};
    if (!r.note.empty()) j["note"] = r.note;
    rules.push_back(std::move(j));
  }
  out << dump_json(nlohmann::json{{"rules", std::move(rules)}}) << '\n';
}

}  // namespace

int cmd_explain(const GlobalOptions& g, const ExplainOptions& opts, std::ostream& out,
                std::ostream& err) {
  const bool json = opts.format == "json";
  auto cfg = load_and_setup(g, err, json ? &out : nullptr);
  if (!cfg) return kExitConfig;
  for (const auto& id : opts.rules) {
    if (std::none_of(cfg->rules.begin(), cfg->rules.end(),
                     [&](const Rule& r) { return r.id == id; })) {
      err << "--rule: no rule with id \"" << id << "\" in " << g.config_path << '\n';
      return kExitUsage;
    }
  }
  std::vector<RuleExplanation> all;
  bool rejected = false;
  for (const auto& rule : cfg->rules) {
    if (!opts.rules.empty() &&
        std::find(opts.rules.begin(), opts.rules.end(), rule.id) == opts.rules.end()) {
      continue;
    }
    all.push_back(explain_rule(rule, cfg->sources.at(rule.source)));
    for (const auto& q : all.back().queries)
      rejected = rejected || !q.accepted;
  }
  if (json) {
    render_json(all, out);
  } else {
    render_text(all, out);
  }
  return rejected ? kExitError : kExitOk;
}

}  // namespace freshguard::cli
