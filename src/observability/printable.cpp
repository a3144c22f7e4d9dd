#include <cstddef>
#include <cstdint>

#include <freshguard/observability/printable.hpp>

namespace freshguard::obs {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

/// One decoded UTF-8 sequence: its code point and length; length 0 when the bytes at the
/// position are not a valid sequence.
struct Decoded {
  std::uint32_t code_point = 0;
  std::size_t length = 0;
};

Decoded decode_utf8(std::string_view text, std::size_t pos) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[pos + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  std::uint32_t cp = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    cp = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    cp = lead & 0x0fu;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    cp = lead & 0x07u;
  } else {
    return {};  // ASCII is handled by the caller; 0x80-0xc1 and 0xf5-0xff never lead
  }
  if (text.size() - pos < length) return {};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xc0u) != 0x80u) return {};
    cp = (cp << 6) | (byte(k) & 0x3fu);
  }
  const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  if (overlong || surrogate || cp > 0x10ffff) return {};
  return {cp, length};
}

/// C1 controls and the bidirectional embedding, override and isolate controls.
bool is_hidden_control(std::uint32_t cp) noexcept {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void append_hex_byte(std::string& out, unsigned char u) {
  out += "\\x";
  out += kHex[u >> 4];
  out += kHex[u & 0xf];
}

void append_unicode_escape(std::string& out, std::uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    out += kHex[(cp >> shift) & 0xf];
}

}  // namespace

void append_printable(std::string& out, std::string_view text, bool escape_quotes) {
  out.reserve(out.size() + text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const Decoded d = decode_utf8(text, i);
      if (d.length == 0) {
        append_hex_byte(out, u);
        ++i;
      } else {
        if (is_hidden_control(d.code_point)) {
          append_unicode_escape(out, d.code_point);
        } else {
          out.append(text.substr(i, d.length));
        }
        i += d.length;
      }
      continue;
    }
    ++i;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      append_hex_byte(out, u);
    } else if (escape_quotes && (c == '"' || c == '\\')) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
}

std::string printable(std::string_view text) {
  std::string out;
  append_printable(out, text);
  return out;
}

std::string escape_json_controls(std::string json) {
  std::size_t i = 0;
  // Nothing to do in the common case: no DEL and no multi-byte character.
  while (i < json.size() && static_cast<unsigned char>(json[i]) < 0x7f)
    ++i;
  if (i == json.size()) return json;
  std::string out(json, 0, i);
  out.reserve(json.size() + 16);
  const std::string_view text = json;
  while (i < text.size()) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u == 0x7f) {
      append_unicode_escape(out, u);
      ++i;
      continue;
    }
    const Decoded d = u >= 0x80 ? decode_utf8(text, i) : Decoded{};
    if (d.length != 0 && is_hidden_control(d.code_point)) {
      append_unicode_escape(out, d.code_point);
      i += d.length;
    } else if (u >= 0x80 && d.length == 0) {
      out += "\\ufffd";  // not UTF-8 (dump replaces such bytes already): never copied raw
      ++i;
    } else {
      const std::size_t n = d.length != 0 ? d.length : 1;
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace freshguard::obs
