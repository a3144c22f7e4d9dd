#include <thread>

#include <gtest/gtest.h>

#include <freshguard/core/clock.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/resilience/sleeper.hpp>

namespace freshguard::resilience {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

class DeadlineTest : public ::testing::Test {
 protected:
  ManualClock clock_{WallTime(seconds(1795788000))};
};

TEST_F(DeadlineTest, RemainingAndExpiry) {
  const auto d = Deadline::after(clock_, milliseconds(1000));
  EXPECT_EQ(d.at(), clock_.steady_now() + milliseconds(1000));
  EXPECT_EQ(&d.clock(), &clock_);
  EXPECT_EQ(d.remaining(), milliseconds(1000));
  EXPECT_FALSE(d.expired());
  clock_.advance(milliseconds(999));
  EXPECT_EQ(d.remaining(), milliseconds(1));
  EXPECT_FALSE(d.expired());
  clock_.advance(milliseconds(1));
  EXPECT_EQ(d.remaining(), microseconds(0));
  EXPECT_TRUE(d.expired());
  clock_.advance(seconds(5));
  EXPECT_EQ(d.remaining(), microseconds(0));  // never negative
}

TEST_F(DeadlineTest, NegativeBudgetIsAlreadyExpired) {
  EXPECT_TRUE(Deadline::after(clock_, milliseconds(-1)).expired());
}

TEST_F(DeadlineTest, CanFinish) {
  const auto d = Deadline::after(clock_, milliseconds(1000));
  EXPECT_TRUE(d.can_finish(milliseconds(0)));
  EXPECT_TRUE(d.can_finish(milliseconds(999)));
  EXPECT_FALSE(d.can_finish(milliseconds(1000)));  // would end exactly at the deadline
  clock_.advance(milliseconds(600));
  EXPECT_TRUE(d.can_finish(milliseconds(399)));
  EXPECT_FALSE(d.can_finish(milliseconds(400)));
  clock_.advance(milliseconds(400));
  EXPECT_FALSE(d.can_finish(milliseconds(0)));
}

TEST_F(DeadlineTest, Earliest) {
  const auto a = Deadline::after(clock_, milliseconds(100));
  const auto b = Deadline::after(clock_, milliseconds(200));
  EXPECT_EQ(a.earliest(b).at(), a.at());
  EXPECT_EQ(b.earliest(a).at(), a.at());
  EXPECT_EQ(a.earliest(a).at(), a.at());
}

TEST_F(DeadlineTest, ScopesNestAndRestore) {
  EXPECT_EQ(current_deadline(), nullptr);
  EXPECT_EQ(effective_timeout(milliseconds(30000)), milliseconds(30000));
  {
    const DeadlineScope outer(Deadline::after(clock_, milliseconds(5000)));
    ASSERT_NE(current_deadline(), nullptr);
    EXPECT_EQ(current_deadline()->remaining(), milliseconds(5000));
    EXPECT_EQ(effective_timeout(milliseconds(30000)), milliseconds(5000));
    EXPECT_EQ(effective_timeout(milliseconds(2000)), milliseconds(2000));
    {
      const DeadlineScope inner(Deadline::after(clock_, milliseconds(700)));
      clock_.advance(microseconds(200500));
      EXPECT_EQ(effective_timeout(milliseconds(30000)), milliseconds(499));  // rounded down
      // Another thread has no current deadline.
      bool other_has_one = true;
      std::thread([&other_has_one] { other_has_one = current_deadline() != nullptr; }).join();
      EXPECT_FALSE(other_has_one);
    }
    EXPECT_EQ(current_deadline()->remaining(), microseconds(4799500));
    clock_.advance(seconds(10));
    EXPECT_EQ(effective_timeout(milliseconds(30000)), milliseconds(0));
  }
  EXPECT_EQ(current_deadline(), nullptr);
}

TEST(SleeperTest, ManualSleeperAdvancesTheClockInsteadOfSleeping) {
  ManualClock clock{WallTime(seconds(0))};
  ManualSleeper sleeper(clock);
  const auto start = clock.steady_now();
  sleeper.sleep_for(milliseconds(250));
  sleeper.sleep_for(microseconds(-5));
  sleeper.sleep_for(microseconds(0));
  sleeper.sleep_for(seconds(1));
  EXPECT_EQ(clock.steady_now() - start, milliseconds(1250));
  EXPECT_EQ(clock.wall_now(), WallTime(milliseconds(1250)));
  EXPECT_EQ(sleeper.sleeps(), (std::vector<microseconds>{milliseconds(250), microseconds(-5),
                                                         microseconds(0), seconds(1)}));
  EXPECT_EQ(sleeper.total(), milliseconds(1250));
}

TEST(SleeperTest, SystemSleeperReallySleeps) {
  auto& sleeper = SystemSleeper::instance();
  EXPECT_EQ(&sleeper, &SystemSleeper::instance());
  const auto start = std::chrono::steady_clock::now();
  sleeper.sleep_for(milliseconds(2));
  sleeper.sleep_for(microseconds(-1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(2));
}

}  // namespace
}  // namespace freshguard::resilience
