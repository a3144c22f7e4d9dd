#pragma once
/// Text that is safe to write to a terminal. Names and messages reach the output from the
/// databases FreshGuard watches (table and column names from a catalog, driver messages), so
/// they may hold escape sequences that retitle, clear or rewrite a terminal. Everything
/// written for people (the check table, text logs, config problems) goes through
/// append_printable; every JSON document through escape_json_controls.

#include <string>
#include <string_view>

namespace freshguard::obs {

/// Appends `text` to `out` with every character that could control a terminal or hide text
/// replaced by a visible escape, so the output holds no control byte at all:
///   - C0 controls and DEL: `\n`, `\r`, `\t`, else `\x1b` style (two lower-case hex digits);
///   - C1 controls (U+0080-U+009F) and the bidirectional overrides and isolates (U+202A-U+202E,
///     U+2066-U+2069), when validly UTF-8 encoded: `\u009b` style;
///   - each byte that is not part of a valid UTF-8 sequence (overlong forms, surrogates and
///     code points past U+10FFFF included): `\xff` style.
/// Other text, valid UTF-8 included, is copied unchanged. When `escape_quotes`, `"` and `\`
/// are also escaped with a backslash (for a value written in double quotes). Thread-safe.
void append_printable(std::string& out, std::string_view text, bool escape_quotes = false);

/// append_printable into a new string.
std::string printable(std::string_view text);

/// Rewrites a serialised JSON document so it holds no terminal control byte: DEL, the C1
/// controls and the bidirectional controls, which JSON allows unescaped, become `\u007f` style
/// escapes. `json` must be valid UTF-8 (as nlohmann::json's dump writes it with
/// error_handler_t::replace, which also escapes the C0 controls); the document still parses
/// to the same value.
std::string escape_json_controls(std::string json);

}  // namespace freshguard::obs
