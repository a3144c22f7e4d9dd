#pragma once
// SQL translation, execution and jsonv2 encoding of SnowflakeTestServer
// (snowflake_test_server.hpp).

#include <algorithm>
#include <cctype>

namespace freshguard::testing {

inline std::string sf_upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

inline std::string sf_quote(const std::string& id) {
  std::string out = "\"";
  for (const char c : id)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// The jsonv2 rowType `type` of a declared column type (parameters ignored).
inline std::string sf_type(const std::string& decl) {
  const std::string t = sf_upper(decl.substr(0, decl.find('(')));
  for (const char* p : {"NUMBER", "INT", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT", "DECIMAL",
                        "NUMERIC", "FIXED"}) {
    if (t.rfind(p, 0) == 0) return "fixed";
  }
  if (t.rfind("FLOAT", 0) == 0 || t == "REAL" || t.rfind("DOUBLE", 0) == 0) return "real";
  if (t.rfind("BOOL", 0) == 0) return "boolean";
  if (t == "DATE") return "date";
  if (t == "TIMESTAMP_LTZ") return "timestamp_ltz";
  if (t == "TIMESTAMP_TZ") return "timestamp_tz";
  if (t == "TIMESTAMP_NTZ" || t == "TIMESTAMP" || t == "DATETIME") return "timestamp_ntz";
  return "text";
}

/// The Snowflake data type name INFORMATION_SCHEMA.COLUMNS reports for a declared type.
inline std::string sf_data_type(const std::string& decl) {
  const std::string t = sf_upper(decl.substr(0, decl.find('(')));
  if (t.empty() || t == "VARCHAR" || t == "STRING" || t == "CHAR" || t == "CHARACTER") {
    return "TEXT";
  }
  if (t.find("INT") != std::string::npos || t == "DECIMAL" || t == "NUMERIC") return "NUMBER";
  if (t == "DOUBLE" || t == "REAL" || t.rfind("FLOAT", 0) == 0) return "FLOAT";
  if (t == "TIMESTAMP" || t == "DATETIME") return "TIMESTAMP_NTZ";
  return t;
}

/// The top-level items of the first SELECT list in `sql` (empty when there is none).
inline std::vector<std::string> sf_select_items(const std::string& sql) {
  static const std::regex kSelect(R"(\bSELECT\s)", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(sql, m, kSelect)) return {};
  std::vector<std::string> items(1);
  int depth = 0;
  char quote = 0;
  for (std::size_t i = static_cast<std::size_t>(m.position(0) + m.length(0)); i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && c == ',') {
      items.emplace_back();
      continue;
    } else if (depth == 0 && i + 4 < sql.size() && sf_upper(sql.substr(i, 4)) == "FROM" &&
               std::isspace(static_cast<unsigned char>(sql[i - 1])) != 0 &&
               std::isspace(static_cast<unsigned char>(sql[i + 4])) != 0) {
      break;
    }
    items.back() += c;
  }
  return items;
}

// `"DB".` (the server's own database) is dropped; other databases stay and fail in SQLite.
inline std::string SnowflakeTestServer::translate(const std::string& sql) const {
  std::string out = sql;
  const std::string quoted = sf_quote(database_) + ".";
  for (auto pos = out.find(quoted); pos != std::string::npos; pos = out.find(quoted, pos)) {
    out.erase(pos, quoted.size());
  }
  if (std::all_of(database_.begin(), database_.end(),
                  [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; })) {
    const std::regex bare("(^|[^\\w\"])" + database_ + "\\.", std::regex::icase);
    out = std::regex_replace(out, bare, "$1");
  }
  return out;
}

inline SnowflakeTestServer::SfError SnowflakeTestServer::map_error(const std::string& msg) const {
  static const std::string kTable = "no such table: ";
  static const std::string kColumn = "no such column: ";
  if (msg.rfind(kTable, 0) == 0) {
    std::string name = msg.substr(kTable.size());
    const auto dots = std::count(name.begin(), name.end(), '.');
    if (dots == 0) name = schemas_.front() + "." + name;
    if (dots < 2) name = database_ + "." + name;
    return {"002003", "42S02",
            "SQL compilation error:\nObject '" + name + "' does not exist or not authorized."};
  }
  if (msg.rfind(kColumn, 0) == 0) {
    return {"000904", "42000",
            "SQL compilation error: error line 1 at position 7\ninvalid identifier '\"" +
                msg.substr(kColumn.size()) + "\"'"};
  }
  return {"001003", "42000", "SQL compilation error:\n" + msg};
}

inline void SnowflakeTestServer::execute(Statement& st) {
  static const std::regex kExplain(R"(^\s*EXPLAIN\s+USING\s+JSON\s+([\s\S]*)$)", std::regex::icase);
  static const std::regex kShow(
      R"re(^\s*SHOW\s+PRIMARY\s+KEYS\s+IN\s+(?:TABLE\s+)?(?:"([^"]+)"\.)?"([^"]+)"\."([^"]+)"\s*;?\s*$)re",
      std::regex::icase);
  std::smatch m;
  const bool explain = std::regex_match(st.sql, m, kExplain);
  const bool show = !explain && std::regex_match(st.sql, m, kShow);
  if (!explain && !show && st.sql.find("INFORMATION_SCHEMA") == std::string::npos) {
    for (const auto& t : stalled_tables_) {
      if (st.sql.find(sf_quote(t)) != std::string::npos) st.stalled = true;
    }
    if (st.stalled) return;
  }
  SqlResult r;
  try {
    rebuild_information_schema();
    r = explain ? run_explain(m[1], st.binds)
        : show  ? run_show_keys(m)
                : engine_.query(st.sql, st.binds);
  } catch (const std::exception& e) {
    const SfError err = map_error(e.what());
    st.failed = true;
    st.error = {{"code", err.code},
                {"sqlState", err.sql_state},
                {"message", err.message},
                {"statementHandle", st.handle},
                {"createdOn", st.created_on_ms}};
    return;
  }
  finish(st, r, result_types(st.sql, r));
}

// Compiles the inner query only (SQLite's EXPLAIN lists bytecode; nothing is scanned).
inline SqlResult SnowflakeTestServer::run_explain(const std::string& inner, const Binds& binds) {
  engine_.query("EXPLAIN " + inner, binds);
  const Json plan = {
      {"GlobalStats",
       {{"partitionsTotal", 1}, {"partitionsAssigned", 1}, {"bytesAssigned", explain_bytes_}}},
      {"Operations", Json::array({Json::array({{{"id", 0}, {"operation", "Result"}}})})}};
  SqlResult r;
  r.columns = {{"content", "TEXT"}};
  r.rows = {{plan.dump()}};
  return r;
}

inline bool SnowflakeTestServer::has_table(const std::string& schema, const std::string& table) {
  if (std::find(schemas_.begin(), schemas_.end(), schema) == schemas_.end()) return false;
  return !engine_
              .query("SELECT 1 FROM " + sf_quote(schema) +
                         ".sqlite_master WHERE type IN ('table','view') AND name = @t",
                     {{"t", table}})
              .rows.empty();
}

// m: [1] database (only when it is not the server's), [2] schema, [3] table.
inline SqlResult SnowflakeTestServer::run_show_keys(const std::smatch& m) {
  const std::string schema = m[2];
  const std::string table = m[3];
  if (m[1].matched || !has_table(schema, table)) {
    throw std::runtime_error("no such table: " + (m[1].matched ? m[1].str() + "." : "") + schema +
                             "." + table);
  }
  SqlResult r;
  for (const char* c : {"created_on", "database_name", "schema_name", "table_name", "column_name",
                        "key_sequence", "constraint_name", "comment"}) {
    const std::string name = c;
    r.columns.push_back({name, name == "created_on"     ? "TIMESTAMP_LTZ"
                               : name == "key_sequence" ? "NUMBER"
                                                        : "TEXT"});
  }
  const auto info =
      engine_.query("PRAGMA " + sf_quote(schema) + ".table_info(" + sf_quote(table) + ")");
  for (const auto& col : info.rows) {
    if (col[5].value_or("0") == "0") continue;
    r.rows.push_back({"1790000000", database_, schema, table, col[1], col[5],
                      "SYS_CONSTRAINT_" + table + "_PK", std::nullopt});
  }
  std::sort(r.rows.begin(), r.rows.end(),
            [](const auto& a, const auto& b) { return std::stoi(*a[5]) < std::stoi(*b[5]); });
  return r;
}

inline void SnowflakeTestServer::rebuild_information_schema() {
  engine_.exec("DELETE FROM INFORMATION_SCHEMA.TABLES; DELETE FROM INFORMATION_SCHEMA.COLUMNS");
  for (const auto& s : schemas_)
    rebuild_schema(s);
}

inline void SnowflakeTestServer::rebuild_schema(const std::string& schema) {
  const auto objects = engine_.query("SELECT name, type FROM " + sf_quote(schema) +
                                     ".sqlite_master WHERE type IN ('table','view') ORDER BY name");
  for (const auto& obj : objects.rows) {
    const std::string& table = *obj[0];
    const bool view = *obj[1] == "view";
    const auto altered = last_altered_.find(schema + "." + table);
    Binds binds = {
        {"c", database_},
        {"s", schema},
        {"t", table},
        {"k", view ? "VIEW" : "BASE TABLE"},
        {"cr", "1790000000"},
        {"la", std::to_string(altered != last_altered_.end() ? altered->second : 1795000000)}};
    if (!view) {
      const auto n =
          engine_.query("SELECT COUNT(*) FROM " + sf_quote(schema) + "." + sf_quote(table));
      binds.emplace_back("r", *n.rows[0][0]);
      binds.emplace_back("b", std::to_string(1024 * std::stoll(*n.rows[0][0])));
    }
    engine_.query("INSERT INTO INFORMATION_SCHEMA.TABLES VALUES (@c, @s, @t, @k, @r, @b, @cr, @la)",
                  binds);
    const auto info =
        engine_.query("PRAGMA " + sf_quote(schema) + ".table_info(" + sf_quote(table) + ")");
    for (const auto& col : info.rows) {
      const bool not_null = col[3].value_or("0") != "0" || col[5].value_or("0") != "0";
      engine_.query("INSERT INTO INFORMATION_SCHEMA.COLUMNS VALUES (@c, @s, @t, @n, @o, @nl, @d)",
                    {{"c", database_},
                     {"s", schema},
                     {"t", table},
                     {"n", col[1].value_or("")},
                     {"o", std::to_string(std::stoi(col[0].value_or("0")) + 1)},
                     {"nl", not_null ? "NO" : "YES"},
                     {"d", sf_data_type(col[2].value_or(""))}});
    }
  }
}

inline std::string SnowflakeTestServer::column_type(const std::string& schema,
                                                    const std::string& table,
                                                    const std::string& column) {
  if (std::find(schemas_.begin(), schemas_.end(), schema) == schemas_.end()) return "text";
  const auto info =
      engine_.query("PRAGMA " + sf_quote(schema) + ".table_info(" + sf_quote(table) + ")");
  for (const auto& row : info.rows) {
    if (row[1] && *row[1] == column) return sf_type(row[2].value_or(""));
  }
  return "text";
}

// Declared types; else MAX/MIN("c") typed as column c of the FROM table, COUNT fixed, else
// from the first row's SQLite value types.
inline std::vector<std::string> SnowflakeTestServer::result_types(const std::string& sql,
                                                                  const SqlResult& r) {
  static const std::regex kExtreme(R"re(^\s*(?:MAX|MIN)\s*\(\s*"([^"]+)"\s*\))re",
                                   std::regex::icase);
  static const std::regex kCount(R"(^\s*COUNT\s*\()", std::regex::icase);
  static const std::regex kFrom(R"re(\bFROM\s+(?:"([^"]+)"\.)?"([^"]+)")re", std::regex::icase);
  const auto items = sf_select_items(sql);
  std::smatch from;
  const bool has_from = std::regex_search(sql, from, kFrom);
  std::vector<std::string> types;
  for (std::size_t i = 0; i < r.columns.size(); ++i) {
    std::smatch m;
    const std::string item = i < items.size() ? items[i] : "";
    if (!r.columns[i].decltype_name.empty()) {
      types.push_back(sf_type(r.columns[i].decltype_name));
    } else if (has_from && std::regex_search(item, m, kExtreme)) {
      types.push_back(
          column_type(from[1].matched ? from[1].str() : schemas_.front(), from[2], m[1]));
    } else if (std::regex_search(item, kCount)) {
      types.push_back("fixed");
    } else {
      const int t = i < r.sqlite_types.size() ? r.sqlite_types[i] : SQLITE_TEXT;
      types.push_back(t == SQLITE_INTEGER ? "fixed" : t == SQLITE_FLOAT ? "real" : "text");
    }
  }
  return types;
}

inline std::optional<std::int64_t> SnowflakeTestServer::to_epoch(const std::string& text) {
  const std::size_t digits = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() > digits && text.size() < 19 &&
      text.find_first_not_of("0123456789", digits) == std::string::npos) {
    return std::stoll(text);
  }
  const auto r = engine_.query("SELECT unixepoch(@v)", {{"v", text}});
  if (!r.rows[0][0]) return std::nullopt;
  return std::stoll(*r.rows[0][0]);
}

// jsonv2: every non-null cell is a string; dates are days since the epoch, timestamps epoch
// seconds with 9 decimals, TIMESTAMP_TZ followed by the offset in minutes plus 1440.
inline std::optional<std::string> SnowflakeTestServer::encode(const std::optional<std::string>& v,
                                                              const std::string& type) {
  if (!v) return std::nullopt;
  if (type == "boolean") {
    const std::string t = sf_upper(*v);
    return t == "1" || t == "TRUE" ? "true" : "false";
  }
  const bool ts = type.rfind("timestamp", 0) == 0;
  if (type != "date" && !ts) return v;
  const auto epoch = to_epoch(*v);
  if (!epoch) return v;  // not a time: passed through as text
  if (type == "date") {
    const std::int64_t days = *epoch / 86400 - (*epoch % 86400 < 0 ? 1 : 0);
    return std::to_string(days);
  }
  std::string out = std::to_string(*epoch) + ".000000000";
  if (type != "timestamp_tz") return out;
  static const std::regex kOffset(R"(([+-])(\d{2}):?(\d{2})$)");
  std::smatch m;
  int minutes = 0;
  if (v->size() > 10 && std::regex_search(*v, m, kOffset)) {
    minutes = (std::stoi(m[2]) * 60 + std::stoi(m[3])) * (m[1] == "-" ? -1 : 1);
  }
  return out + " " + std::to_string(minutes + 1440);
}

inline void SnowflakeTestServer::finish(Statement& st, const SqlResult& r,
                                        const std::vector<std::string>& types) {
  for (std::size_t i = 0; i < r.columns.size(); ++i) {
    const std::string& t = types[i];
    const bool text = t == "text";
    const bool time = t.rfind("timestamp", 0) == 0;
    st.row_type.push_back({{"name", r.columns[i].name},
                           {"type", t},
                           {"nullable", true},
                           {"scale", t == "fixed" ? Json(0)
                                     : time       ? Json(9)
                                                  : Json()},
                           {"precision", t == "fixed" ? Json(38)
                                         : time       ? Json(0)
                                                      : Json()},
                           {"length", text ? Json(16777216) : Json()},
                           {"byteLength", text ? Json(16777216) : Json()},
                           {"database", database_},
                           {"schema", ""},
                           {"table", ""}});
  }
  Json part = Json::array();
  for (const auto& row : r.rows) {
    Json cells = Json::array();
    for (std::size_t c = 0; c < row.size(); ++c) {
      const auto cell = encode(row[c], types[c]);
      cells.push_back(cell ? Json(*cell) : Json());
    }
    part.push_back(std::move(cells));
    if (part.size() == partition_rows_) st.partitions.push_back(std::exchange(part, Json::array()));
  }
  if (!part.empty() || st.partitions.empty()) st.partitions.push_back(std::move(part));
  st.num_rows = r.rows.size();
}

}  // namespace freshguard::testing
