#include <gtest/gtest.h>

#include <freshguard/observability/printable.hpp>

namespace freshguard::obs {
namespace {

TEST(PrintableTest, EscapesEveryTerminalControl) {
  EXPECT_EQ(printable("plain text, é and 日本"), "plain text, é and 日本");
  EXPECT_EQ(printable("\x1b]0;pwned\x07"), R"(\x1b]0;pwned\x07)");
  EXPECT_EQ(printable("\x1b[2J\x7f"), R"(\x1b[2J\x7f)");
  EXPECT_EQ(printable("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(printable(std::string("nul\0x", 5)), R"(nul\x00x)");
  // C1 controls as UTF-8 (U+009B is CSI), raw 8-bit bytes, and other invalid UTF-8.
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            R"(\u009b31m)");
  EXPECT_EQ(printable("\x9b"
                      "31m"),
            R"(\x9b31m)");
  EXPECT_EQ(printable("\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82"),
            R"(\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82)");
  // Bidirectional overrides hide or reorder text.
  EXPECT_EQ(printable("a\xe2\x80\xae"
                      "b"),
            R"(a\u202eb)");
  EXPECT_EQ(printable(R"(a "q" \ b)"), R"(a "q" \ b)");
  std::string quoted;
  append_printable(quoted, R"(a "q" \ b)", true);
  EXPECT_EQ(quoted, R"(a \"q\" \\ b)");
}

TEST(PrintableTest, JsonKeepsItsValueAndLosesRawControls) {
  EXPECT_EQ(escape_json_controls(R"({"a":"plain é"})"), R"({"a":"plain é"})");
  EXPECT_EQ(escape_json_controls("{\"a\":\"x\x7f\xc2\x9b\xe2\x80\xaey\"}"),
            R"({"a":"x\u007f\u009b\u202ey"})");
  EXPECT_EQ(escape_json_controls("{\"a\":\"\xff\"}"), R"({"a":"\ufffd"})");
}

}  // namespace
}  // namespace freshguard::obs
