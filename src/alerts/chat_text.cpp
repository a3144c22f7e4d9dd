// Escaping of text for people in alert messages.

#include "alerts/chat_text.hpp"

#include <array>

namespace freshguard::alerts {
namespace {

constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                       '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

void append_byte_escape(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4U];
  out += kHex[c & 0xfU];
}

void append_code_point_escape(std::string& out, unsigned cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    out += kHex[(cp >> static_cast<unsigned>(shift)) & 0xfU];
}

// The invisible code point at text[i] that must be shown (a C1 control or a bidi override or
// isolate) and its UTF-8 length, or 0.
unsigned hidden_code_point(std::string_view text, std::size_t i, std::size_t& length) {
  const auto byte = [&text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  if (byte(i) == 0xc2 && i + 1 < text.size() && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) {
    length = 2;
    return byte(i + 1);  // U+0080..U+009F
  }
  if (byte(i) == 0xe2 && i + 2 < text.size()) {
    const unsigned cp = 0x2000U | ((byte(i + 1) & 0x3fU) << 6U) | (byte(i + 2) & 0x3fU);
    const bool continuation = (byte(i + 1) & 0xc0U) == 0x80 && (byte(i + 2) & 0xc0U) == 0x80;
    if (continuation && ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))) {
      length = 3;
      return cp;
    }
  }
  length = 0;
  return 0;
}

}  // namespace

std::string escape_control(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && keep_newlines) {
      out += '\n';
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      append_byte_escape(out, c);
      ++i;
    } else if (std::size_t length = 0; const unsigned cp = hidden_code_point(text, i, length)) {
      append_code_point_escape(out, cp);
      i += length;
    } else {
      out += text[i];
      ++i;
    }
  }
  return out;
}

std::string escape_slack(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace freshguard::alerts
