#pragma once
/// Text for people in alert messages (Slack text, PagerDuty summary), made safe to show.
/// Table and column names come from the database and messages from drivers: both may carry
/// terminal escapes or chat markup. Pure functions, thread-safe.

#include <string>
#include <string_view>

namespace freshguard::alerts {

/// `text` with control characters shown escaped: bytes 0x00-0x1f and 0x7f as `\xHH`
/// (lower-case hex, so ESC is `\x1b`), the C1 controls U+0080-U+009F and the bidirectional
/// overrides and isolates (U+202A-U+202E, U+2066-U+2069) as `\uHHHH`. A newline is kept
/// when `keep_newlines`, else shown as `\x0a`. Other bytes, invalid UTF-8 included, are kept.
std::string escape_control(std::string_view text, bool keep_newlines);

/// Slack's escaping for message text: `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;`, so
/// `<!channel>` and `<http://x|label>` are shown as typed, never as a mention or a link.
std::string escape_slack(std::string_view text);

}  // namespace freshguard::alerts
