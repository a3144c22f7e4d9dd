// The metrics registry and its Prometheus text exposition.

#include <cmath>
#include <limits>
#include <stdexcept>

#include <gtest/gtest.h>

#include <freshguard/observability/metrics.hpp>

namespace freshguard::obs {
namespace {

TEST(Exposition, EscapesAndFormats) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_help("x\\y\nz \"q\""), "x\\\\y\\nz \"q\"");
  EXPECT_EQ(format_value(1.0), "1");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_TRUE(is_metric_name("freshguard_checks_total"));
  EXPECT_TRUE(is_metric_name("a:b"));
  EXPECT_FALSE(is_metric_name("1abc"));
  EXPECT_FALSE(is_metric_name(""));
  EXPECT_FALSE(is_metric_name("a-b"));
  EXPECT_EQ(to_string(MetricType::kCounter), "counter");
  EXPECT_EQ(to_string(MetricType::kGauge), "gauge");
  EXPECT_EQ(to_string(MetricType::kHistogram), "histogram");
  EXPECT_EQ(to_string(MetricType::kSummary), "summary");
}

TEST(MetricsRegistry, RendersCountersAndGaugesSorted) {
  MetricsRegistry r;
  r.declare("freshguard_checks_total", "Checks run", MetricType::kCounter);
  r.declare("freshguard_rule_lag_seconds", "Lag\nin seconds", MetricType::kGauge);
  r.add("freshguard_checks_total", {{"rule", "b"}, {"status", "ok"}});
  r.add("freshguard_checks_total", {{"rule", "a\"x"}, {"status", "ok"}}, 2);
  r.add("freshguard_checks_total", {{"rule", "b"}, {"status", "ok"}});
  r.set("freshguard_rule_lag_seconds", {{"rule", "a"}}, 12.5);
  r.set("freshguard_checks_total", {{"rule", "c"}, {"status", "alert"}}, 7);  // copied count
  EXPECT_EQ(r.render(),
            "# HELP freshguard_checks_total Checks run\n"
            "# TYPE freshguard_checks_total counter\n"
            "freshguard_checks_total{rule=\"a\\\"x\",status=\"ok\"} 2\n"
            "freshguard_checks_total{rule=\"b\",status=\"ok\"} 2\n"
            "freshguard_checks_total{rule=\"c\",status=\"alert\"} 7\n"
            "# HELP freshguard_rule_lag_seconds Lag\\nin seconds\n"
            "# TYPE freshguard_rule_lag_seconds gauge\n"
            "freshguard_rule_lag_seconds{rule=\"a\"} 12.5\n");
  r.clear_series("freshguard_rule_lag_seconds");
  r.clear_series("unknown");  // no effect
  EXPECT_EQ(r.render().find("freshguard_rule_lag_seconds{"), std::string::npos);
}

TEST(MetricsRegistry, HistogramBucketsAreCumulative) {
  MetricsRegistry r;
  r.declare("freshguard_check_duration_seconds", "Check duration", MetricType::kHistogram,
            {0.1, 1});
  r.observe("freshguard_check_duration_seconds", {}, 0.05);
  r.observe("freshguard_check_duration_seconds", {}, 0.1);  // le is inclusive
  r.observe("freshguard_check_duration_seconds", {}, 0.5);
  r.observe("freshguard_check_duration_seconds", {}, 3);
  EXPECT_EQ(r.render(),
            "# HELP freshguard_check_duration_seconds Check duration\n"
            "# TYPE freshguard_check_duration_seconds histogram\n"
            "freshguard_check_duration_seconds_bucket{le=\"0.1\"} 2\n"
            "freshguard_check_duration_seconds_bucket{le=\"1\"} 3\n"
            "freshguard_check_duration_seconds_bucket{le=\"+Inf\"} 4\n"
            "freshguard_check_duration_seconds_sum 3.65\n"
            "freshguard_check_duration_seconds_count 4\n");
}

TEST(MetricsRegistry, SummaryWithQuantiles) {
  MetricsRegistry r;
  r.declare("freshguard_query_duration_seconds", "Latency", MetricType::kSummary);
  r.set_summary("freshguard_query_duration_seconds", {{"source", "wh"}}, {{0.5, 0.01}, {0.99, 0.2}},
                1.5, 30);
  EXPECT_EQ(r.render(),
            "# HELP freshguard_query_duration_seconds Latency\n"
            "# TYPE freshguard_query_duration_seconds summary\n"
            "freshguard_query_duration_seconds{source=\"wh\",quantile=\"0.5\"} 0.01\n"
            "freshguard_query_duration_seconds{source=\"wh\",quantile=\"0.99\"} 0.2\n"
            "freshguard_query_duration_seconds_sum{source=\"wh\"} 1.5\n"
            "freshguard_query_duration_seconds_count{source=\"wh\"} 30\n");
}

TEST(MetricsRegistry, MisuseIsRejected) {
  MetricsRegistry r;
  EXPECT_THROW(r.declare("bad-name", "x", MetricType::kGauge), std::invalid_argument);
  EXPECT_THROW(r.declare("h", "x", MetricType::kHistogram, {1, 0.5}), std::invalid_argument);
  r.declare("g", "x", MetricType::kGauge);
  r.declare("g", "x", MetricType::kGauge);  // same type: fine
  EXPECT_THROW(r.declare("g", "x", MetricType::kCounter), std::invalid_argument);
  EXPECT_THROW(r.set("undeclared", {}, 1), std::invalid_argument);
  EXPECT_THROW(r.add("g", {}, 1), std::invalid_argument);  // not a counter
  EXPECT_THROW(r.set("g", {{"__reserved", "x"}}, 1), std::invalid_argument);
  EXPECT_THROW(r.set("g", {{"le", "x"}}, 1), std::invalid_argument);
  EXPECT_THROW(r.set("g", {{"9x", "x"}}, 1), std::invalid_argument);
  r.declare("c_total", "x", MetricType::kCounter);
  EXPECT_THROW(r.add("c_total", {}, -1), std::invalid_argument);
  EXPECT_THROW(r.observe("g", {}, 1), std::invalid_argument);
  EXPECT_THROW(r.set_summary("g", {}, {}, 0, 0), std::invalid_argument);
  EXPECT_EQ(default_duration_buckets().front(), 0.005);
}

}  // namespace
}  // namespace freshguard::obs
