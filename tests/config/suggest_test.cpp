#include "config/suggest.hpp"

#include <array>

#include <gtest/gtest.h>

namespace freshguard::config::detail {
namespace {

constexpr std::array<std::string_view, 6> kKeys = {
    "tolerance_minutes", "timestamp_column", "host", "port", "check_interval_minutes", "id"};

TEST(SuggestTest, FindsTypos) {
  EXPECT_EQ(closest_match("tolerence_minutes", kKeys), "tolerance_minutes");
  EXPECT_EQ(closest_match("hots", kKeys), "host");  // swapped neighbours
  EXPECT_EQ(closest_match("HOST", kKeys), "host");  // case
  EXPECT_EQ(closest_match("prot", kKeys), "port");
  EXPECT_EQ(closest_match("timestamp_colum", kKeys), "timestamp_column");
}

TEST(SuggestTest, FindsPrefixes) {
  EXPECT_EQ(closest_match("check_interval", kKeys), "check_interval_minutes");
  EXPECT_EQ(closest_match("timestamp", kKeys), "timestamp_column");
  EXPECT_EQ(closest_match("tolerance_minutes_value", kKeys), "tolerance_minutes");
}

TEST(SuggestTest, NothingWhenFar) {
  EXPECT_EQ(closest_match("", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("zzzzzzzz", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("x", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("abc", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("tim", kKeys), std::nullopt);  // prefix too short
}

TEST(SuggestTest, DidYouMean) {
  EXPECT_EQ(did_you_mean("hots", kKeys), "; did you mean 'host'?");
  EXPECT_EQ(did_you_mean("qqqqq", kKeys), "");
}

}  // namespace
}  // namespace freshguard::config::detail
