// Freshness checks against PostgreSQL: the FreshGuard engine against a minimal raw libpq
// loop, in the same run, on the same tables and server.
//
// Creates N tables of R rows (half with an index on the timestamp column) in schema
// `fg_bench` of the server named by FRESHGUARD_TEST_PG_ENV (scripts/pg-test-server.sh), then
// runs P passes of one freshness check per table with C workers, three ways:
//   engine      run_check() on a PostgresConnector (pool of C): validation, catalog
//               resolution (table_schema), max_timestamp (resolve + MAX), judgement
//   raw-same    C blocking libpq connections issuing exactly the engine's queries
//   raw-max     C blocking libpq connections issuing only `SELECT max(ts) FROM t`
// and prints checks/s, p50/p95 latency, process CPU time per check and peak RSS.
//
//   pg_freshness_bench [--tables N] [--rows R] [--concurrency C] [--passes P]
// (defaults 200, 10000, 10, 5). scripts/bench-pg.sh builds it, starts a server and runs it.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <libpq-fe.h>
#include <sys/resource.h>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "connectors/postgres/pg_queries.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kSchema = "fg_bench";

struct Args {
  int tables = 200;
  int rows = 10000;
  int concurrency = 10;
  int passes = 5;
};

Args parse_args(int argc, char** argv) {
  Args a;
  const std::map<std::string, int*> flags = {{"--tables", &a.tables},
                                             {"--rows", &a.rows},
                                             {"--concurrency", &a.concurrency},
                                             {"--passes", &a.passes}};
  for (int i = 1; i < argc; ++i) {
    const auto it = flags.find(argv[i]);
    if (it == flags.end() || i + 1 >= argc || std::atoi(argv[i + 1]) <= 0) {
      throw std::invalid_argument(std::string("usage: ") + argv[0] +
                                  " [--tables N] [--rows N] [--concurrency N] [--passes N]");
    }
    *it->second = std::atoi(argv[++i]);
  }
  return a;
}

std::map<std::string, std::string> read_env_file() {
  const char* path = std::getenv("FRESHGUARD_TEST_PG_ENV");
  if (path == nullptr) {
    throw std::runtime_error("FRESHGUARD_TEST_PG_ENV is not set (run scripts/bench-pg.sh)");
  }
  std::ifstream in(path);
  std::map<std::string, std::string> kv;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  if (kv["FRESHGUARD_TEST_PG_PORT"].empty()) throw std::runtime_error("bad env file");
  return kv;
}

struct Server {
  std::map<std::string, std::string> kv;
  std::string get(const char* key) const { return kv.at(std::string("FRESHGUARD_TEST_PG_") + key); }

  std::string conninfo() const {
    return "host=" + get("HOST") + " port=" + get("PORT") + " dbname=" + get("DB") +
           " user=" + get("USER") + " password=" + get("PASSWORD") +
           " sslmode=verify-full sslrootcert=" + get("CA") + " gssencmode=disable";
  }

  freshguard::PostgresOptions options(int pool) const {
    freshguard::PostgresOptions o;
    o.source_name = "bench";
    o.host = get("HOST");
    o.port = std::stoi(get("PORT"));
    o.database = get("DB");
    o.username = get("USER");
    o.password = get("PASSWORD");
    o.ssl_root_cert = get("CA");
    o.schema = kSchema;
    o.max_connections = pool;
    o.application_name = "fg_bench_engine";
    return o;
  }
};

// A blocking libpq connection (the baseline, and setup).
class Raw {
 public:
  explicit Raw(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw std::runtime_error(std::string("connect failed: ") + PQerrorMessage(conn_));
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~Raw() { PQfinish(conn_); }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;

  // Runs `sql` with text parameters; returns the first cell of the last result.
  std::string exec(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params)
      values.push_back(p.c_str());
    PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    const auto status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const std::string msg = PQresultErrorMessage(res);
      PQclear(res);
      throw std::runtime_error("query failed: " + msg);
    }
    std::string first = PQntuples(res) > 0 && PQnfields(res) > 0 ? PQgetvalue(res, 0, 0) : "";
    PQclear(res);
    return first;
  }

  // Runs several statements as one simple query.
  void script(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    const std::string msg = PQresultErrorMessage(res);
    PQclear(res);
    if (!ok) throw std::runtime_error("setup failed: " + msg);
  }

 private:
  PGconn* conn_;
};

std::string table_name(int i) {
  std::string name = "t";  // (not "t" + ...: GCC 12 warns falsely with -O2, -Wrestrict)
  name += std::to_string(i);
  return name;
}

void create_tables(const Server& server, const Args& a) {
  const auto start = Clock::now();
  Raw raw(server.conninfo());
  raw.script(std::string("DROP SCHEMA IF EXISTS ") + kSchema + " CASCADE; CREATE SCHEMA " +
             kSchema);
  for (int i = 0; i < a.tables; ++i) {
    const std::string t = std::string(kSchema) + "." + table_name(i);
    std::string sql = "CREATE TABLE " + t +
                      " (id int PRIMARY KEY, payload text, updated_at timestamptz NOT NULL);"
                      "INSERT INTO " +
                      t +
                      " SELECT g, md5(g::text), now() - g * interval '7 seconds' "
                      "FROM generate_series(1, " +
                      std::to_string(a.rows) + ") g;";
    if (i % 2 == 0) sql += "CREATE INDEX ON " + t + " (updated_at);";
    sql += "ANALYZE " + t + ";";
    raw.script(sql);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("setup: %d tables x %d rows (%d with an index on updated_at) in %.1f s\n", a.tables,
              a.rows, (a.tables + 1) / 2, secs);
}

struct PhaseResult {
  const char* name;
  int checks = 0;
  int failures = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  std::vector<double> latencies_ms;
};

double cpu_now() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

// Runs `check(worker, table)` passes x tables times over `workers` threads.
PhaseResult run_phase(const char* name, const Args& a, int workers,
                      const std::function<bool(int, int)>& check) {
  PhaseResult r{name};
  const int total = a.tables * a.passes;
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(workers));
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  const double cpu0 = cpu_now();
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = next++; i < total; i = next++) {
        const auto t0 = Clock::now();
        if (!check(w, i % a.tables)) ++failures;
        lat[static_cast<std::size_t>(w)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& t : threads)
    t.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.cpu_seconds = cpu_now() - cpu0;
  r.checks = total;
  r.failures = failures.load();
  for (const auto& l : lat)
    r.latencies_ms.insert(r.latencies_ms.end(), l.begin(), l.end());
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  return r;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto idx = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[idx];
}

void print(const PhaseResult& r) {
  std::printf("%-12s %8.0f %9.2f %9.2f %14.1f %9d\n", r.name, r.checks / r.seconds,
              percentile(r.latencies_ms, 0.50), percentile(r.latencies_ms, 0.95),
              r.cpu_seconds / r.checks * 1e6, r.failures);
}

std::vector<freshguard::Rule> make_rules(int tables) {
  std::vector<freshguard::Rule> rules;
  for (int i = 0; i < tables; ++i) {
    freshguard::Rule rule;
    rule.id = "fresh_" + table_name(i);
    rule.source = "bench";
    rule.table = table_name(i);
    rule.freshness.timestamp_column = "updated_at";
    rules.push_back(rule);
  }
  return rules;
}

PhaseResult engine_phase(const Server& server, const Args& a) {
  freshguard::PostgresConnector pg(server.options(a.concurrency));
  const auto rules = make_rules(a.tables);
  const auto check = [&](int, int t) {
    const auto r = freshguard::run_check(pg, rules[static_cast<std::size_t>(t)]);
    return r.status != freshguard::CheckStatus::kError;
  };
  Args warm = a;
  warm.passes = 1;
  run_phase("warm-up", warm, a.concurrency, check);
  return run_phase("engine", a, a.concurrency, check);
}

PhaseResult raw_phase(const Server& server, const Args& a, bool same_queries) {
  std::vector<std::unique_ptr<Raw>> conns;
  for (int w = 0; w < a.concurrency; ++w)
    conns.push_back(std::make_unique<Raw>(server.conninfo() + " application_name=fg_bench_raw"));
  const auto check = [&](int w, int t) {
    Raw& raw = *conns[static_cast<std::size_t>(w)];
    const std::string table = table_name(t);
    if (same_queries) {
      raw.exec(freshguard::pg::kTableSchemaSql, {kSchema, table});
      raw.exec(freshguard::pg::kResolveSql, {kSchema, table, "updated_at"});
    }
    const std::string max = raw.exec(std::string("SELECT max(\"updated_at\") FROM \"") + kSchema +
                                     "\".\"" + table + "\"");
    return !max.empty();
  };
  Args warm = a;
  warm.passes = 1;
  run_phase("warm-up", warm, a.concurrency, check);
  return run_phase(same_queries ? "raw-same" : "raw-max", a, a.concurrency, check);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args a = parse_args(argc, argv);
    const Server server{read_env_file()};
    create_tables(server, a);
    std::printf(
        "checks: %d passes x %d tables = %d per mode, concurrency %d (after a warm-up "
        "pass)\n\n",
        a.passes, a.tables, a.passes * a.tables, a.concurrency);
    const auto engine = engine_phase(server, a);
    const auto same = raw_phase(server, a, true);
    const auto max_only = raw_phase(server, a, false);
    std::printf("%-12s %8s %9s %9s %14s %9s\n", "mode", "checks/s", "p50 ms", "p95 ms",
                "CPU us/check", "failures");
    for (const auto* r : {&engine, &same, &max_only})
      print(*r);
    const auto rate = [](const PhaseResult& r) { return r.checks / r.seconds; };
    std::printf("\nengine / raw-same checks/s: %.2f\nengine / raw-max  checks/s: %.2f\n",
                rate(engine) / rate(same), rate(engine) / rate(max_only));
    std::printf("engine CPU per check minus raw-same: %.1f us\n",
                (engine.cpu_seconds / engine.checks - same.cpu_seconds / same.checks) * 1e6);
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    std::printf("peak RSS of the process: %.1f MiB\n", static_cast<double>(u.ru_maxrss) / 1024.0);
    Raw(server.conninfo()).script(std::string("DROP SCHEMA ") + kSchema + " CASCADE");
    return engine.failures + same.failures + max_only.failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg_freshness_bench: %s\n", e.what());
    return 1;
  }
}
