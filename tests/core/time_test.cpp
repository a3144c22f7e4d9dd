#include <gtest/gtest.h>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/core/time.hpp>

namespace freshguard {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-11-27T14:00:00Z
constexpr std::int64_t kBase = 1795788000;
WallTime at(std::int64_t unix_seconds) {
  return WallTime(seconds(unix_seconds));
}

TEST(TimeParseTest, AcceptsCommonShapes) {
  const auto utc = TimeZone::utc();
  EXPECT_EQ(parse_timestamp("2026-11-27T14:00:00Z", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("2026-11-27 14:00:00", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("2026-11-27 14:00", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("  2026-11-27t14:00:00z ", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("2026-11-27", utc), at(kBase - 14 * 3600));
  EXPECT_EQ(parse_timestamp("2026-11-27 14:00:00 UTC", utc), at(kBase));
}

TEST(TimeParseTest, ReadsFractionsAndOffsets) {
  const auto utc = TimeZone::utc();
  EXPECT_EQ(parse_timestamp("2026-11-27T14:00:00.5Z", utc), at(kBase) + microseconds(500000));
  EXPECT_EQ(parse_timestamp("2026-11-27T14:00:00,123456789Z", utc),
            at(kBase) + microseconds(123456));
  EXPECT_EQ(parse_timestamp("2026-11-27T16:00:00+02:00", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("2026-11-27T16:00:00+0200", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("2026-11-27 16:00:00+02", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("2026-11-27T08:30:00-05:30", utc), at(kBase));
  EXPECT_EQ(parse_timestamp("2026-11-27 14:00:00 +00:00", utc), at(kBase));
}

TEST(TimeParseTest, RejectsGarbage) {
  const auto utc = TimeZone::utc();
  for (const char* bad :
       {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-27X14:00", "2026-11-27T25:00:00",
        "2026-11-27T14:61", "2026-11-27T14:00:00.Z", "2026-11-27T14:00:00+99:00",
        "2026-11-27T14:00:00Zjunk", "2026/11/27", "2026-11-27T14", "2026-11-27T14:00:00+02:7"}) {
    EXPECT_FALSE(parse_timestamp(bad, utc).has_value()) << bad;
  }
}

TEST(TimeZoneTest, NaiveTextIsReadInTheRuleZone) {
  const auto paris = TimeZone::named("Europe/Paris");
  EXPECT_EQ(paris.name(), "Europe/Paris");
  // November: Paris is UTC+1.
  EXPECT_EQ(parse_timestamp("2026-11-27 15:00:00", paris), at(kBase));
  // An explicit offset wins over the zone.
  EXPECT_EQ(parse_timestamp("2026-11-27T14:00:00Z", paris), at(kBase));
  // July: UTC+2.
  const auto july = parse_timestamp("2026-07-01 12:00:00", paris);
  EXPECT_EQ(july, parse_timestamp("2026-07-01T10:00:00Z", TimeZone::utc()));
}

TEST(TimeZoneTest, DstGapsAndOverlapsResolve) {
  const auto paris = TimeZone::named("Europe/Paris");
  // 2026-03-29 02:30 does not exist in Paris (clocks jump 02:00 -> 03:00).
  const auto gap = parse_timestamp("2026-03-29 02:30:00", paris);
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(*gap, *parse_timestamp("2026-03-29T01:30:00Z", TimeZone::utc()));
  // 2026-10-25 02:30 happens twice; the earlier instant (UTC+2) is chosen.
  const auto twice = parse_timestamp("2026-10-25 02:30:00", paris);
  EXPECT_EQ(*twice, *parse_timestamp("2026-10-25T00:30:00Z", TimeZone::utc()));
}

TEST(TimeZoneTest, FixedOffsetsAndUnknownZones) {
  EXPECT_EQ(TimeZone::named("UTC").name(), "UTC");
  EXPECT_EQ(TimeZone::named("").name(), "UTC");
  const auto plus = TimeZone::named("+05:30");
  EXPECT_EQ(parse_timestamp("2026-11-27 19:30:00", plus), at(kBase));
  const auto minus = TimeZone::named("-03:00");
  EXPECT_EQ(parse_timestamp("2026-11-27 11:00:00", minus), at(kBase));
  EXPECT_THROW(TimeZone::named("Mars/Olympus"), ConfigError);
  EXPECT_THROW(TimeZone::named("+5"), ConfigError);
  EXPECT_THROW(TimeZone::named("+05:30junk"), ConfigError);
}

TEST(TimeFormatTest, Iso8601) {
  EXPECT_EQ(format_iso8601(at(kBase)), "2026-11-27T14:00:00Z");
  EXPECT_EQ(format_iso8601(at(kBase) + microseconds(1500)), "2026-11-27T14:00:00.001500Z");
}

TEST(TimeFormatTest, Durations) {
  EXPECT_EQ(format_duration(seconds(0)), "0s");
  EXPECT_EQ(format_duration(seconds(42)), "42s");
  EXPECT_EQ(format_duration(minutes(4) + seconds(10)), "4m 10s");
  EXPECT_EQ(format_duration(hours(2) + minutes(5) + seconds(3)), "2h 5m");
  EXPECT_EQ(format_duration(hours(74) + minutes(5)), "3d 2h");
  EXPECT_EQ(format_duration(hours(72)), "3d");
  EXPECT_EQ(format_duration(-minutes(90)), "-1h 30m");
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(at(kBase));
  const auto s0 = clock.steady_now();
  EXPECT_EQ(clock.wall_now(), at(kBase));
  clock.advance(seconds(90));
  EXPECT_EQ(clock.wall_now(), at(kBase + 90));
  EXPECT_EQ(clock.steady_now() - s0, seconds(90));
  clock.set_wall(at(kBase));
  EXPECT_EQ(clock.wall_now(), at(kBase));
  EXPECT_EQ(clock.steady_now() - s0, seconds(90));
}

TEST(ClockTest, SystemClockIsNearNow) {
  const auto& c = SystemClock::instance();
  const auto a = c.steady_now();
  const auto w = c.wall_now();
  EXPECT_GT(w, at(kBase - 86400 * 365 * 2));
  EXPECT_GE(c.steady_now(), a);
}

}  // namespace
}  // namespace freshguard
