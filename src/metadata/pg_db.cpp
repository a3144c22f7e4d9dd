#include "metadata/pg_db.hpp"

#include <charconv>
#include <cstdio>

#include <freshguard/core/error.hpp>

namespace freshguard::metadata_detail {
namespace {

// SQLSTATEs after which the same call may succeed.
bool transient_state(std::string_view state) {
  return state.starts_with("08") ||  // connection exception
         state.starts_with("53") ||  // insufficient resources
         state == "40001" ||         // serialization failure
         state == "40P01" ||         // deadlock detected
         state == "57014" ||         // statement timeout / cancelled
         state.starts_with("57P");   // server shutting down, cannot connect now
}

template <typename T>
T parse_number(const char* text, std::string_view what) {
  T value{};
  const std::string_view s(text);
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    throw MetadataError("postgres metadata database returned a malformed " + std::string(what));
  }
  return value;
}

}  // namespace

PgParams& PgParams::add(std::string_view text) {
  values_.emplace_back(std::string(text));
  return *this;
}

PgParams& PgParams::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

PgParams& PgParams::add(double value) {
  char buf[64];
  // Shortest text that reads back as the same double.
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  values_.emplace_back(std::string(buf, ec == std::errc() ? ptr : buf));
  return *this;
}

PgParams& PgParams::add(bool value) {
  values_.emplace_back(value ? "true" : "false");
  return *this;
}

PgParams& PgParams::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

int PgRows::size() const {
  return PQntuples(res_.get());
}

bool PgRows::is_null(int row, int col) const {
  return PQgetisnull(res_.get(), row, col) != 0;
}

std::string PgRows::text(int row, int col) const {
  return PQgetvalue(res_.get(), row, col);
}

std::int64_t PgRows::int64(int row, int col) const {
  return parse_number<std::int64_t>(PQgetvalue(res_.get(), row, col), "integer");
}

double PgRows::real(int row, int col) const {
  return parse_number<double>(PQgetvalue(res_.get(), row, col), "number");
}

bool PgRows::boolean(int row, int col) const {
  return text(row, col) == "t";
}

std::optional<std::int64_t> PgRows::opt_int64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return int64(row, col);
}

std::optional<double> PgRows::opt_real(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return real(row, col);
}

std::int64_t PgRows::affected() const {
  const char* n = PQcmdTuples(res_.get());
  return *n == '\0' ? 0 : parse_number<std::int64_t>(n, "row count");
}

void throw_pg(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* state_raw = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = state_raw != nullptr ? state_raw : "";
  const std::string detail = std::string(what) + ": " +
                             (res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    throw MetadataError(
        "the connection to the postgres metadata database was lost (" + std::string(what) + ")",
        true, detail);
  }
  const std::string code = state.empty() ? "" : " (SQLSTATE " + state + ")";
  throw MetadataError("postgres metadata database: " + std::string(what) + " failed" + code,
                      transient_state(state), detail);
}

PgRows pg_exec(PGconn* conn, const char* sql, const PgParams& params) {
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& v : params.values())
    values.push_back(v ? v->c_str() : nullptr);
  PgResultHandle res(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
  const auto status = PQresultStatus(res.get());
  if (res == nullptr || (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)) {
    throw_pg(conn, res.get(), "query");
  }
  return PgRows(std::move(res));
}

void pg_exec_script(PGconn* conn, const char* sql) {
  PgResultHandle res(PQexec(conn, sql));
  const auto status = PQresultStatus(res.get());
  if (res == nullptr || (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)) {
    throw_pg(conn, res.get(), "statement");
  }
}

PgTransaction::PgTransaction(PGconn* conn) : conn_(conn) {
  pg_exec_script(conn_, "BEGIN");
}

PgTransaction::~PgTransaction() {
  if (!done_) PgResultHandle(PQexec(conn_, "ROLLBACK"));
}

void PgTransaction::commit() {
  pg_exec_script(conn_, "COMMIT");
  done_ = true;
}

}  // namespace freshguard::metadata_detail
