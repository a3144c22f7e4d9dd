// Session::query: a prepared statement with bound parameters, executed and read in full
// through the non-blocking API. Every value is fetched as text.

#include <freshguard/core/error.hpp>

#include "connectors/mysql/mysql_session.hpp"

namespace freshguard::mysql {
namespace {

// Result buffers start this large; longer values are fetched again in full.
constexpr unsigned long kInitialCapacity = 64;

// One output column's buffer and what the library reports about the current value.
struct Cell {
  std::string buffer = std::string(kInitialCapacity, '\0');
  unsigned long length = 0;
  my_bool is_null = 0;
  my_bool error = 0;
};

std::vector<Column> describe(MYSQL_RES* meta) {
  std::vector<Column> columns;
  const unsigned n = mysql_num_fields(meta);
  const MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  columns.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    columns.push_back(Column{fields[i].name, fields[i].type, fields[i].charsetnr, fields[i].flags});
  }
  return columns;
}

std::vector<MYSQL_BIND> bind_cells(std::vector<Cell>& cells) {
  std::vector<MYSQL_BIND> binds(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = cells[i].buffer.data();
    binds[i].buffer_length = kInitialCapacity;
    binds[i].length = &cells[i].length;
    binds[i].is_null = &cells[i].is_null;
    binds[i].error = &cells[i].error;
  }
  return binds;
}

}  // namespace

Rows Session::query(const std::string& text, const std::vector<std::string>& params,
                    const Deadline& deadline) {
  const std::string sql = with_time_limit(text);
  MYSQL_STMT* stmt = prepared(sql, deadline);
  if (mysql_stmt_param_count(stmt) != params.size()) {
    throw QueryError("internal error: a statement on source \"" + config_->source + "\" expects " +
                     std::to_string(mysql_stmt_param_count(stmt)) + " parameters, got " +
                     std::to_string(params.size()));
  }
  std::vector<MYSQL_BIND> in(params.size());
  std::vector<unsigned long> lengths(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    lengths[i] = params[i].size();
    in[i].buffer_type = MYSQL_TYPE_STRING;
    in[i].buffer = const_cast<char*>(params[i].data());  // only read, despite the type
    in[i].buffer_length = lengths[i];
    in[i].length = &lengths[i];
  }
  if (!params.empty() && mysql_stmt_bind_param(stmt, in.data()) != 0) fail(stmt, sql);
  int ret = 0;
  const int status = mysql_stmt_execute_start(&ret, stmt);
  drive(
      status, [&](int ready) { return mysql_stmt_execute_cont(&ret, stmt, ready); }, deadline);
  if (ret != 0) fail(stmt, sql);
  return read_result(stmt, sql, deadline);
}

Rows Session::read_result(MYSQL_STMT* stmt, const std::string& sql, const Deadline& deadline) {
  Rows out;
  const ResultHandle meta(mysql_stmt_result_metadata(stmt));
  if (!meta) return out;  // a statement without a result set
  out.columns = describe(meta.get());
  std::vector<Cell> cells(out.columns.size());
  auto binds = bind_cells(cells);
  if (mysql_stmt_bind_result(stmt, binds.data()) != 0) fail(stmt, sql);
  int ret = 0;
  const int status = mysql_stmt_store_result_start(&ret, stmt);
  drive(
      status, [&](int ready) { return mysql_stmt_store_result_cont(&ret, stmt, ready); }, deadline);
  if (ret != 0) fail(stmt, sql);
  // The whole result is in memory now: fetching does no I/O.
  for (int rc = mysql_stmt_fetch(stmt); rc != MYSQL_NO_DATA; rc = mysql_stmt_fetch(stmt)) {
    if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) fail(stmt, sql);
    Rows::Row row;
    row.reserve(cells.size());
    for (unsigned i = 0; i < cells.size(); ++i) {
      const Cell& cell = cells[i];
      if (cell.is_null != 0) {
        row.emplace_back(std::nullopt);
      } else if (cell.length <= kInitialCapacity) {
        row.emplace_back(cell.buffer.substr(0, cell.length));
      } else {
        // Too long for the buffer: fetch this value again in full.
        std::string full(cell.length, '\0');
        MYSQL_BIND again{};
        again.buffer_type = MYSQL_TYPE_STRING;
        again.buffer = full.data();
        again.buffer_length = cell.length;
        if (mysql_stmt_fetch_column(stmt, &again, i, 0) != 0) fail(stmt, sql);
        row.emplace_back(std::move(full));
      }
    }
    out.rows.push_back(std::move(row));
  }
  mysql_stmt_free_result(stmt);
  return out;
}

}  // namespace freshguard::mysql
