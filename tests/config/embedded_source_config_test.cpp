// The resource limits of sqlite and duckdb sources, and the static check of their `path`.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::config {
namespace {

using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::source_doc;

const SourceConfig& source_of(const LoadResult& r) {
  return r.config->sources.at("src");
}

TEST(EmbeddedSourceConfigTest, DefaultsAreBounded) {
  const auto lite = load(source_doc("type: sqlite\npath: /x.db\n"));
  ASSERT_TRUE(loads(lite));
  EXPECT_EQ(source_of(lite).max_value_mb, 64);
  const auto duck = load(source_doc("type: duckdb\npath: /x.duckdb\n"));
  ASSERT_TRUE(loads(duck));
  EXPECT_EQ(source_of(duck).memory_limit_mb, 512);
  EXPECT_EQ(source_of(duck).threads, 2);
}

// validate refuses what the DuckDB connector would refuse: a path into a system directory,
// also when it gets there through `..`.
TEST(EmbeddedSourceConfigTest, DuckdbPathIntoASystemDirectoryIsRefusedByValidate) {
  for (const char* path : {"/etc/x.duckdb", "/tmp/../proc/self/environ", "/dev/shm/x.duckdb"}) {
    const auto r = load(source_doc(std::string("type: duckdb\npath: ") + path + "\n"));
    EXPECT_TRUE(only_problem(r, "sources.src.path", "points into a system directory"))
        << path << testing::describe(r);
  }
  EXPECT_TRUE(loads(load(source_doc("type: duckdb\npath: /srv/etc/x.duckdb\n"))));
}

TEST(EmbeddedSourceConfigTest, LimitsAreReadAndRangeChecked) {
  const auto lite = load(source_doc("type: sqlite\npath: /x.db\nmax_value_mb: 8\n"));
  ASSERT_TRUE(loads(lite));
  EXPECT_EQ(source_of(lite).max_value_mb, 8);
  EXPECT_TRUE(only_problem(load(source_doc("type: sqlite\npath: /x.db\nmax_value_mb: 0\n")),
                           "sources.src.max_value_mb", "must be between 1 and 512, got 0"));
  EXPECT_TRUE(only_problem(load(source_doc("type: sqlite\npath: /x.db\nmax_value_mb: 2048\n")),
                           "sources.src.max_value_mb", "must be between 1 and 512, got 2048"));

  const auto duck =
      load(source_doc("type: duckdb\npath: /x.duckdb\nmemory_limit_mb: 4096\nthreads: 8\n"));
  ASSERT_TRUE(loads(duck));
  EXPECT_EQ(source_of(duck).memory_limit_mb, 4096);
  EXPECT_EQ(source_of(duck).threads, 8);
  EXPECT_TRUE(only_problem(load(source_doc("type: duckdb\npath: /x.duckdb\nmemory_limit_mb: 1\n")),
                           "sources.src.memory_limit_mb", "must be between 16 and 1048576, got 1"));
  EXPECT_TRUE(only_problem(load(source_doc("type: duckdb\npath: /x.duckdb\nthreads: 0\n")),
                           "sources.src.threads", "must be between 1 and 64, got 0"));
  EXPECT_TRUE(only_problem(load(source_doc("type: duckdb\npath: /x.duckdb\nthreads: 65\n")),
                           "sources.src.threads", "must be between 1 and 64, got 65"));
}

TEST(EmbeddedSourceConfigTest, KeysOfTheOtherEngineDoNotApply) {
  EXPECT_TRUE(has_problem(load(source_doc("type: sqlite\npath: /x.db\nthreads: 2\n")),
                          "sources.src.threads", "'threads' does not apply to sqlite sources"));
  EXPECT_TRUE(has_problem(load(source_doc("type: duckdb\npath: /x.duckdb\nmax_value_mb: 2\n")),
                          "sources.src.max_value_mb",
                          "'max_value_mb' does not apply to duckdb sources"));
  EXPECT_TRUE(has_problem(
      load(source_doc(std::string("type: postgres\nhost: h\ndatabase: d\nusername: u\n") +
                      "password: correct-horse\nmemory_limit_mb: 64\n")),
      "sources.src.memory_limit_mb", "does not apply to postgres sources"));
}

TEST(EmbeddedSourceConfigTest, PathThatIsNotARegularFileIsAProblem) {
  freshguard::testing::TempDir dir;
  const auto fifo = dir / "pipe.db";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // stat(2) only: validating never opens (and so never blocks on) the FIFO.
  EXPECT_TRUE(only_problem(load(source_doc("type: sqlite\npath: " + fifo.string() + "\n")),
                           "sources.src.path",
                           "is a FIFO (named pipe), not a database file; point it at a sqlite "
                           "database file"));
  EXPECT_TRUE(only_problem(load(source_doc("type: duckdb\npath: " + dir.path().string() + "\n")),
                           "sources.src.path", "is a directory, not a database file"));
  EXPECT_TRUE(only_problem(load(source_doc("type: sqlite\npath: /dev/null\n")), "sources.src.path",
                           "is a character device"));
  // A regular file, and a file that does not exist yet, are fine.
  const auto file = dir.write("wh.db", "");
  EXPECT_TRUE(loads(load(source_doc("type: sqlite\npath: " + file.string() + "\n"))));
  EXPECT_TRUE(loads(load(source_doc("type: sqlite\npath: " + (dir / "later.db").string() + "\n"))));
}

}  // namespace
}  // namespace freshguard::config
