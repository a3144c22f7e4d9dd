// The scheduler on a manual clock: nothing sleeps.

#include <algorithm>
#include <stdexcept>

#include <gtest/gtest.h>

#include <freshguard/daemon/scheduler.hpp>

namespace freshguard::daemon {
namespace {

using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// A Random that always returns the same value, so due times are exact.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(double v) : v_(v) {}
  double uniform() override { return v_; }

 private:
  double v_;
};

class SchedulerTest : public ::testing::Test {
 protected:
  SteadyTime t0_ = SteadyTime{} + std::chrono::hours(1);
  FixedRandom random_{0.5};
};

TEST_F(SchedulerTest, FirstRunIsSpreadByJitterThenEveryInterval) {
  Scheduler s({.max_concurrent = 8, .max_per_source = 8, .jitter = 0.1}, random_);
  s.set_rules({{"r1", "a", minutes(10)}}, t0_);
  // First run at now + 0.5 * 0.1 * 10 min = 30 s.
  EXPECT_EQ(s.due_time("r1"), t0_ + seconds(30));
  EXPECT_EQ(s.next_due(), t0_ + seconds(30));
  EXPECT_TRUE(s.take_due(t0_ + seconds(29)).empty());
  EXPECT_EQ(s.take_due(t0_ + seconds(30)), std::vector<std::string>{"r1"});
  EXPECT_TRUE(s.is_running("r1"));
  EXPECT_FALSE(s.next_due().has_value());  // the only rule is running
  // Never twice at once, however late it gets.
  EXPECT_TRUE(s.take_due(t0_ + minutes(30)).empty());
  s.finish("r1", t0_ + seconds(35));
  EXPECT_FALSE(s.is_running("r1"));
  // Next: previous due + interval + 30 s jitter.
  EXPECT_EQ(s.due_time("r1"), t0_ + seconds(30) + minutes(10) + seconds(30));
  s.finish("r1", t0_);       // not running: no effect
  s.finish("unknown", t0_);  // no effect
  EXPECT_EQ(s.running(), 0);
  EXPECT_FALSE(s.due_time("unknown").has_value());
  EXPECT_FALSE(s.is_running("unknown"));
}

TEST_F(SchedulerTest, AnOverrunIsNotCaughtUp) {
  Scheduler s({.max_concurrent = 1, .max_per_source = 1, .jitter = 0.0}, random_);
  s.set_rules({{"r", "a", seconds(10)}}, t0_);
  ASSERT_EQ(s.take_due(t0_).size(), 1U);
  s.finish("r", t0_ + seconds(95));               // ran 95 s: nine runs missed
  EXPECT_EQ(s.due_time("r"), t0_ + seconds(95));  // due once, at once
  ASSERT_EQ(s.take_due(t0_ + seconds(95)).size(), 1U);
  s.finish("r", t0_ + seconds(96));
  EXPECT_EQ(s.due_time("r"), t0_ + seconds(105));
}

TEST_F(SchedulerTest, GlobalAndPerSourceLimits) {
  Scheduler s({.max_concurrent = 3, .max_per_source = 2, .jitter = 0.0}, random_);
  s.set_rules({{"a1", "a", seconds(60)},
               {"a2", "a", seconds(60)},
               {"a3", "a", seconds(60)},
               {"b1", "b", seconds(60)},
               {"b2", "b", seconds(60)}},
              t0_);
  auto first = s.take_due(t0_);
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<std::string>{"a1", "a2", "b1"}));
  EXPECT_EQ(s.running(), 3);
  EXPECT_TRUE(s.take_due(t0_).empty());  // global limit
  EXPECT_EQ(s.next_due(), t0_);          // due but waiting for a slot
  s.finish("b1", t0_ + seconds(1));
  EXPECT_EQ(s.take_due(t0_ + seconds(1)), std::vector<std::string>{"b2"});  // a3: source limit
  s.finish("a1", t0_ + seconds(2));
  EXPECT_EQ(s.take_due(t0_ + seconds(2)), std::vector<std::string>{"a3"});
}

TEST_F(SchedulerTest, ReloadKeepsUnchangedRulesAndDropsRemovedOnes) {
  Scheduler s({.max_concurrent = 8, .max_per_source = 8, .jitter = 0.0}, random_);
  s.set_rules({{"keep", "a", seconds(60)},
               {"change", "a", seconds(60)},
               {"gone", "a", seconds(60)},
               {"busy_gone", "a", seconds(60)}},
              t0_);
  ASSERT_EQ(s.take_due(t0_).size(), 4U);
  s.finish("keep", t0_);
  s.finish("change", t0_);
  s.finish("gone", t0_);
  EXPECT_EQ(s.due_time("keep"), t0_ + seconds(60));
  s.set_rules({{"keep", "a", seconds(60)}, {"change", "b", seconds(30)}, {"new", "a", seconds(20)}},
              t0_ + seconds(10));
  EXPECT_EQ(s.due_time("keep"), t0_ + seconds(60));    // kept
  EXPECT_EQ(s.due_time("change"), t0_ + seconds(10));  // rescheduled as new
  EXPECT_EQ(s.due_time("new"), t0_ + seconds(10));
  EXPECT_FALSE(s.due_time("gone").has_value());
  EXPECT_TRUE(s.is_running("busy_gone"));  // finishes, then disappears
  s.finish("busy_gone", t0_ + seconds(11));
  EXPECT_FALSE(s.due_time("busy_gone").has_value());
  EXPECT_EQ(s.size(), 3U);
}

TEST_F(SchedulerTest, RuleChangedWhileRunningMovesToItsNewSource) {
  Scheduler s({.max_concurrent = 8, .max_per_source = 1, .jitter = 0.0}, random_);
  s.set_rules({{"r", "a", seconds(60)}}, t0_);
  ASSERT_EQ(s.take_due(t0_).size(), 1U);
  s.set_rules({{"r", "b", seconds(30)}, {"other", "a", seconds(30)}}, t0_ + seconds(1));
  EXPECT_TRUE(s.is_running("r"));
  // r still holds source a's slot until it finishes.
  EXPECT_TRUE(s.take_due(t0_ + seconds(1)).empty());
  s.finish("r", t0_ + seconds(2));
  auto due = s.take_due(t0_ + seconds(2));
  std::sort(due.begin(), due.end());
  EXPECT_EQ(due, (std::vector<std::string>{"other", "r"}));
}

TEST_F(SchedulerTest, InvalidOptionsAreRejected) {
  EXPECT_THROW(Scheduler({.max_concurrent = 0}, random_), std::invalid_argument);
  EXPECT_THROW(Scheduler({.max_per_source = 0}, random_), std::invalid_argument);
  EXPECT_THROW(Scheduler({.jitter = 1.5}, random_), std::invalid_argument);
  Scheduler s({}, random_);
  EXPECT_THROW(s.set_rules({{"r", "a", microseconds(0)}}, t0_), std::invalid_argument);
}

}  // namespace
}  // namespace freshguard::daemon
