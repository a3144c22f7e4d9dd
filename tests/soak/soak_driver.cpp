// The soak driver of scripts/soak.sh (not a test: ctest never runs it). Against the
// throwaway PostgreSQL named by FRESHGUARD_TEST_PG_ENV, it runs freshness checks through a
// connector from make_connector, placed behind the fault proxy, from several threads for
// the given number of minutes, while a fault thread alternates healthy periods with outages
// of every kind: refused connections, dropped connections, a black-holed network,
// pg_terminate_backend on every pooled connection, and a real server restart
// (scripts/pg-test-server.sh restart). It then prints a summary: checks run, results by
// status and error code, resident memory at start, middle and end, and the connector's
// sessions left on the server once it is destroyed (must be 0). Exit code 0 when nothing
// leaked and checks succeeded after every outage, 1 otherwise, 64 on bad usage.
//
//   freshguard_soak_driver [--minutes M] [--threads N] [--restart-script PATH]

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "support/fault_proxy.hpp"
#include "support/pg_test_server.hpp"

namespace {

using freshguard::CheckStatus;
using freshguard::testing::FaultMode;
using freshguard::testing::FaultProxy;
using freshguard::testing::PgRaw;
using freshguard::testing::PgServer;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

struct Args {
  double minutes = 10;
  int threads = 4;
  std::string restart_script = "scripts/pg-test-server.sh";
};

// Resident set size of this process in KiB (VmRSS), 0 when unreadable.
long rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

struct Tally {
  std::mutex mu;
  std::map<std::string, long> by_outcome;  // "ok", "alert", "error:TIMEOUT", ...
  long total = 0;
  long ok = 0;
  long errors = 0;

  void add(const freshguard::CheckResult& r) {
    std::lock_guard lock(mu);
    ++total;
    if (r.status == CheckStatus::kOk) ++ok;
    if (r.status == CheckStatus::kError) ++errors;
    std::string key(freshguard::to_string(r.status));
    if (r.error) key.append(":").append(freshguard::to_string(r.error->code));
    ++by_outcome[key];
  }
  long ok_count() {
    std::lock_guard lock(mu);
    return ok;
  }
};

// One outage of each kind in turn; returns its name.
std::string inject(int round, FaultProxy& proxy, const PgServer& server, const Args& args) {
  switch (round % 5) {
    case 0:
      proxy.set_mode(FaultMode::kRefuse);
      proxy.drop_connections();
      return "refused+dropped";
    case 1:
      proxy.set_mode(FaultMode::kDrop);
      return "dropped";
    case 2:
      proxy.set_mode(FaultMode::kBlackHole);
      return "black-hole";
    case 3:
      PgRaw(server, true)
          .exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" +
                server.user + "' AND application_name <> 'fg_test_support'");
      return "terminate-backends";
    default: {
      const char* env = std::getenv("FRESHGUARD_TEST_PG_ENV");
      const std::string cmd = "bash '" + args.restart_script + "' restart '" + env + "'";
      if (std::system(cmd.c_str()) != 0) std::cerr << "soak: server restart failed\n";
      return "server-restart";
    }
  }
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + k);
    const std::string v = argv[++i];
    if (k == "--minutes") {
      a.minutes = std::stod(v);
    } else if (k == "--threads") {
      a.threads = std::stoi(v);
    } else if (k == "--restart-script") {
      a.restart_script = v;
    } else {
      throw std::invalid_argument("unknown option " + k);
    }
  }
  if (a.minutes <= 0 || a.threads < 1 || a.threads > 32) {
    throw std::invalid_argument("--minutes must be > 0 and --threads 1-32");
  }
  return a;
}

freshguard::config::SourceConfig source(const PgServer& s, int port) {
  auto c = s.source_config("soak", port);
  c.timeout_ms = 2000;
  c.connect_timeout_ms = 1000;
  c.max_connections = 4;
  c.circuit_breaker.failure_threshold = 5;
  c.circuit_breaker.success_threshold = 2;
  c.circuit_breaker.reset_timeout_ms = 2000;
  c.query_metrics = false;
  return c;
}

// Sessions of the connector under test (the test user, not a raw support connection). A
// new admin connection each time: a server restart ends the old ones.
int connector_sessions(const PgServer& server) {
  return std::stoi(PgRaw(server, true)
                       .scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = '" +
                               server.user + "' AND application_name <> 'fg_test_support'"));
}

// What the run measured besides the tally of results.
struct Report {
  Steady::time_point start;
  long rss_start = 0;
  long rss_mid = 0;
  long rss_end = 0;
  int sessions_mid = 0;
  int sessions_left = 0;
  int rounds = 0;
  int recovered_after = 0;  // outages after which checks succeeded again
  std::uint64_t times_opened = 0;
};

// Cycles of 8 s healthy, then 4 s of one outage, while there is time for a whole cycle;
// samples memory and sessions at half time.
void outage_cycles(const Args& args, const PgServer& server, FaultProxy& proxy, Tally& tally,
                   Report& rep, Steady::time_point end) {
  const auto half = rep.start + (end - rep.start) / 2;
  bool mid_taken = false;
  while (Steady::now() + seconds(12) < end) {
    const long ok_before = tally.ok_count();
    std::this_thread::sleep_for(seconds(8));
    if (rep.rounds > 0 && tally.ok_count() > ok_before) ++rep.recovered_after;
    if (!mid_taken && Steady::now() >= half) {
      rep.rss_mid = rss_kib();
      rep.sessions_mid = connector_sessions(server);
      mid_taken = true;
    }
    const std::string kind = inject(rep.rounds, proxy, server, args);
    std::cerr << "soak: outage " << rep.rounds + 1 << " (" << kind << ")\n";
    std::this_thread::sleep_for(seconds(4));
    proxy.set_mode(FaultMode::kPass);
    ++rep.rounds;
  }
  while (Steady::now() < end)
    std::this_thread::sleep_for(milliseconds(200));
  const long ok_before = tally.ok_count();
  std::this_thread::sleep_for(seconds(1));
  if (rep.rounds > 0 && tally.ok_count() > ok_before) ++rep.recovered_after;
  if (!mid_taken) rep.rss_mid = rss_kib();
}

// Runs the checking threads through one connector while outage_cycles runs.
void soak(const Args& args, const PgServer& server, FaultProxy& proxy, Tally& tally, Report& rep) {
  const auto end = rep.start + std::chrono::duration_cast<milliseconds>(
                                   std::chrono::duration<double, std::ratio<60>>(args.minutes));
  auto connector = freshguard::make_connector(source(server, proxy.port()));
  freshguard::Rule rule;
  rule.id = "soak_fresh";
  rule.source = "soak";
  rule.table = "soak_orders";
  rule.freshness.timestamp_column = "updated_at";
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < args.threads; ++t) {
    workers.emplace_back([&] {
      while (!stop) {
        tally.add(freshguard::run_check(*connector, rule));
        std::this_thread::sleep_for(milliseconds(20));
      }
    });
  }
  std::this_thread::sleep_for(seconds(3));  // warm-up: pool and caches filled
  rep.rss_start = rss_kib();
  outage_cycles(args, server, proxy, tally, rep, end);
  stop = true;
  for (auto& w : workers)
    w.join();
  auto& resilient = dynamic_cast<freshguard::ResilientConnector&>(*connector);
  if (auto snap = resilient.breaker_snapshot()) rep.times_opened = snap->times_opened;
}  // the connector closes its pool here

bool print_summary(const Report& rep, Tally& tally) {
  std::lock_guard lock(tally.mu);
  std::printf("soak summary\n");
  std::printf("  duration_s        %.0f\n",
              std::chrono::duration<double>(Steady::now() - rep.start).count());
  std::printf("  outages           %d (refused, dropped, black hole, terminated, restart)\n",
              rep.rounds);
  std::printf("  recovered_after   %d of %d outages (checks ok again afterwards)\n",
              rep.recovered_after, rep.rounds);
  std::printf("  breaker_opened    %llu times\n",
              static_cast<unsigned long long>(rep.times_opened));
  std::printf("  checks            %ld (ok %ld, error %ld)\n", tally.total, tally.ok, tally.errors);
  for (const auto& [k, n] : tally.by_outcome)
    std::printf("    %-28s %ld\n", k.c_str(), n);
  std::printf("  rss_kib           start %ld, mid %ld, end %ld\n", rep.rss_start, rep.rss_mid,
              rep.rss_end);
  std::printf("  server_sessions   mid-run %d (pool max 4), after close %d\n", rep.sessions_mid,
              rep.sessions_left);
  const bool good = rep.sessions_left == 0 && tally.ok > 0 && rep.recovered_after >= rep.rounds;
  std::printf("  verdict           %s\n", good ? "PASS" : "FAIL");
  return good;
}

int run(const Args& args) {
  const PgServer* server = PgServer::get();
  if (server == nullptr) {
    std::cerr << "soak: FRESHGUARD_TEST_PG_ENV names no server (run under "
                 "scripts/pg-test-server.sh run -- ...)\n";
    return 64;
  }
  PgRaw(*server, false)
      .exec(
          "DROP TABLE IF EXISTS soak_orders; CREATE TABLE soak_orders (updated_at timestamptz);"
          "INSERT INTO soak_orders VALUES (now() - interval '5 minutes')");
  FaultProxy proxy(std::stoi(server->port));
  Tally tally;
  Report rep;
  rep.start = Steady::now();
  soak(args, *server, proxy, tally, rep);
  rep.rss_end = rss_kib();
  for (int i = 0; i < 50; ++i) {  // closed sessions leave pg_stat_activity within moments
    rep.sessions_left = connector_sessions(*server);
    if (rep.sessions_left == 0) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  PgRaw(*server, false).exec("DROP TABLE IF EXISTS soak_orders");
  return print_summary(rep, tally) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::cerr << "soak: " << e.what()
              << "\nusage: freshguard_soak_driver [--minutes M] [--threads N] "
                 "[--restart-script PATH]\n";
    return 64;
  } catch (const std::exception& e) {
    std::cerr << "soak: " << e.what() << "\n";
    return 1;
  }
}
