#include <algorithm>
#include <array>
#include <cstddef>

#include <freshguard/observability/redact.hpp>

/// A hand-written scanner rather than std::regex: redact runs on every log line, and
/// std::regex is slow and recurses deeply enough on long input to overflow the stack.
///
/// redact() runs these passes in order, each one copying only when it finds something:
///   1. distinctive known secret values (see is_distinctive) (longest first at each position);
///   2. PEM private-key blocks;
///   3. `Bearer <token>`;
///   4. the password part of `scheme://user:password@host`;
///   5. `key=value`, `key: value`, `"key": "value"`, `key='value'` for secret-looking keys.
/// Every pass leaves `[REDACTED]` alone, so redacting twice changes nothing.

namespace freshguard::obs {
namespace {

using std::size_t;
constexpr size_t kNpos = std::string_view::npos;

/// Key names (lower case, `_` as separator) whose values are secrets, matched exactly or as
/// a suffix after a separator.
constexpr std::array<std::string_view, 18> kSecretWords = {
    "password",   "passwd",     "pwd",         "secret",      "token",         "api_key",
    "apikey",     "access_key", "private_key", "secret_key",  "passphrase",    "authorization",
    "auth_token", "credential", "credentials", "routing_key", "client_secret", "refresh_token"};

/// Authorization schemes kept in front of a masked credential (`Basic [REDACTED]`).
constexpr std::array<std::string_view, 4> kAuthSchemes = {"bearer", "basic", "digest", "token"};

/// Shortest known secret masked wherever its text appears (pass 1).
constexpr size_t kMinDistinctiveLength = 8;
/// A known secret this long is distinctive even when made of one kind of character.
constexpr size_t kLongSecretLength = 32;

/// Keys longer than this are never secret-looking (it bounds the backward key scan).
constexpr size_t kMaxKeyLength = 128;

char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}
bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_quote(char c) noexcept {
  return c == '"' || c == '\'';
}
bool is_key_char(char c) noexcept {
  return is_alnum(c) || c == '_' || c == '-' || c == '.';
}
/// Ends an unquoted secret value or token.
bool ends_value(char c) noexcept {
  return is_space(c) || is_quote(c) || c == '&' || c == ';' || c == ',';
}

/// True when `text` has `lower_word` (lower case) at `pos`, ignoring case.
bool has_word_at(std::string_view text, size_t pos, std::string_view lower_word) noexcept {
  if (pos > text.size() || text.size() - pos < lower_word.size()) return false;
  for (size_t k = 0; k < lower_word.size(); ++k) {
    if (to_lower(text[pos + k]) != lower_word[k]) return false;
  }
  return true;
}

/// Finds `lower_word` in `text` from `from`, ignoring case.
size_t find_ci(std::string_view text, std::string_view lower_word, size_t from) noexcept {
  for (size_t i = from; i + lower_word.size() <= text.size(); ++i) {
    if (has_word_at(text, i, lower_word)) return i;
  }
  return kNpos;
}

/// End of the unquoted value starting at `pos`.
size_t value_end(std::string_view text, size_t pos) noexcept {
  while (pos < text.size() && !ends_value(text[pos]))
    ++pos;
  return pos;
}

/// Builds the output of a pass: the text with some ranges replaced by `[REDACTED]`.
class Masker {
 public:
  explicit Masker(std::string_view text) : text_(text) {}
  /// Masks [begin, end); ranges must be given in increasing order without overlap.
  void mask(size_t begin, size_t end) {
    if (out_.empty()) out_.reserve(text_.size() + kRedacted.size());
    out_.append(text_.substr(done_, begin - done_));
    out_.append(kRedacted);
    done_ = end;
    changed_ = true;
  }
  /// Writes the result into `target` if anything was masked.
  void finish(std::string& target) {
    if (!changed_) return;
    out_.append(text_.substr(done_));
    target = std::move(out_);
  }

 private:
  std::string_view text_;
  std::string out_;
  size_t done_ = 0;
  bool changed_ = false;
};

/// Pass 1. `secrets` is sorted longest first, so at each position the longest match wins.
void mask_known(std::string& s, const std::vector<std::string>& secrets) {
  if (secrets.empty()) return;
  std::array<bool, 256> first{};
  for (const auto& secret : secrets)
    first[static_cast<unsigned char>(secret[0])] = true;
  const std::string_view text = s;
  Masker m(text);
  for (size_t i = 0; i < text.size();) {
    size_t matched = 0;
    if (first[static_cast<unsigned char>(text[i])]) {
      for (const auto& secret : secrets) {
        if (text.compare(i, secret.size(), secret) == 0) {
          matched = secret.size();
          break;
        }
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    m.mask(i, i + matched);
    i += matched;
  }
  m.finish(s);
}

/// Pass 2: `-----BEGIN ... PRIVATE KEY----- ... -----END ... PRIVATE KEY-----`. A block
/// without its END line is masked to the end of the text.
void mask_private_keys(std::string& s) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kEnd = "-----END ";
  constexpr std::string_view kDashes = "-----";
  const std::string_view text = s;
  Masker m(text);
  size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != kNpos) {
    const size_t label_start = pos + kBegin.size();
    const size_t label_end = text.find(kDashes, label_start);
    if (label_end == kNpos) break;
    const std::string_view label = text.substr(label_start, label_end - label_start);
    if (label.find("PRIVATE KEY") == kNpos || label.find('\n') != kNpos) {
      pos = label_start;
      continue;
    }
    size_t end = text.size();
    const size_t end_line = text.find(kEnd, label_end + kDashes.size());
    if (end_line != kNpos) {
      const size_t close = text.find(kDashes, end_line + kEnd.size());
      if (close != kNpos) end = close + kDashes.size();
    }
    m.mask(pos, end);
    pos = end;
  }
  m.finish(s);
}

/// Pass 3: `Bearer <token>`, any case, at a word start. "bearer token" in prose is left
/// alone.
void mask_bearer(std::string& s) {
  constexpr std::string_view kBearer = "bearer";
  const std::string_view text = s;
  Masker m(text);
  size_t pos = 0;
  while ((pos = find_ci(text, kBearer, pos)) != kNpos) {
    size_t i = pos + kBearer.size();
    const bool word_start = pos == 0 || !is_alnum(text[pos - 1]);
    pos = i;
    if (!word_start || i >= text.size() || !is_blank(text[i])) continue;
    while (i < text.size() && is_blank(text[i]))
      ++i;
    const size_t end = value_end(text, i);
    const std::string_view token = text.substr(i, end - i);
    if (token.empty() || token == kRedacted ||
        (token.size() == 5 && has_word_at(token, 0, "token"))) {
      continue;
    }
    m.mask(i, end);
    pos = end;
  }
  m.finish(s);
}

/// Pass 4: the password in `scheme://user:password@host`. Usernames and `scheme://token@host`
/// are left alone. The last `@` of the authority ends the password.
void mask_url_credentials(std::string& s) {
  constexpr std::string_view kSep = "://";
  const std::string_view text = s;
  Masker m(text);
  size_t pos = 0;
  while ((pos = text.find(kSep, pos)) != kNpos) {
    const size_t start = pos + kSep.size();
    size_t end = start;
    while (end < text.size()) {
      const char c = text[end];
      if (c == '/' || c == '?' || c == '#' || c == '<' || c == '>' || is_space(c) || is_quote(c)) {
        break;
      }
      ++end;
    }
    pos = end;
    const std::string_view authority = text.substr(start, end - start);
    const size_t at = authority.rfind('@');
    if (at == kNpos) continue;
    const size_t colon = authority.substr(0, at).find(':');
    if (colon == kNpos || colon + 1 == at) continue;
    if (authority.substr(colon + 1, at - colon - 1) == kRedacted) continue;
    m.mask(start + colon + 1, start + at);
  }
  m.finish(s);
}

/// The key that ends just before the separator at `sep`: skips blanks and a closing quote
/// (possibly backslash-escaped), then takes key characters backwards.
std::string_view key_before(std::string_view text, size_t sep) noexcept {
  size_t end = sep;
  while (end > 0 && is_blank(text[end - 1]))
    --end;
  if (end > 0 && is_quote(text[end - 1])) {
    --end;
    if (end > 0 && text[end - 1] == '\\') --end;
  }
  size_t begin = end;
  while (begin > 0 && end - begin <= kMaxKeyLength && is_key_char(text[begin - 1]))
    --begin;
  return text.substr(begin, end - begin);
}

/// Skips an authorization scheme word (`Basic `) at `pos` so only the credential is masked.
size_t skip_auth_scheme(std::string_view text, size_t pos) noexcept {
  for (const auto scheme : kAuthSchemes) {
    size_t i = pos + scheme.size();
    if (!has_word_at(text, pos, scheme) || i >= text.size() || !is_blank(text[i])) continue;
    while (i < text.size() && is_blank(text[i]))
      ++i;
    if (i < text.size() && !ends_value(text[i])) return i;
  }
  return pos;
}

/// Pass 5: values of secret-looking keys after `=` or `:`. A quoted value is masked up to
/// its closing quote (or the end of the line when there is none); an unquoted one up to
/// whitespace, a quote, `&`, `;` or `,`. Values starting with `{` or `[` (nested objects,
/// lists, an earlier `[REDACTED]`) are left alone; their own keys are checked.
void mask_key_values(std::string& s) {
  const std::string_view text = s;
  if (text.find_first_of("=:") == kNpos) return;
  Masker m(text);
  for (size_t i = 0; i < text.size(); ++i) {
    const char sep = text[i];
    if (sep != '=' && sep != ':') continue;
    if (sep == ':' && text.compare(i, 3, "://") == 0) continue;
    if (!Redactor::is_secret_key(key_before(text, i))) continue;
    size_t v = i + 1;
    while (v < text.size() && is_blank(text[v]))
      ++v;
    if (v >= text.size()) break;
    const char c = text[v];
    if (c == '{' || c == '[') continue;
    size_t begin = v;
    size_t end = v;
    if (is_quote(c) || (c == '\\' && v + 1 < text.size() && is_quote(text[v + 1]))) {
      const bool escaped = c == '\\';
      const char quote = text[escaped ? v + 1 : v];
      begin = skip_auth_scheme(text, escaped ? v + 2 : v + 1);
      end = begin;
      while (end < text.size() && text[end] != '\n') {
        if (escaped ? (text[end] == '\\' && end + 1 < text.size() && text[end + 1] == quote)
                    : text[end] == quote) {
          break;
        }
        if (!escaped && text[end] == '\\') ++end;  // an escaped character inside the value
        ++end;
      }
      end = std::min(end, text.size());
    } else {
      begin = skip_auth_scheme(text, v);
      end = value_end(text, begin);
    }
    if (begin == end || text.substr(begin, end - begin) == kRedacted) continue;
    m.mask(begin, end);
    i = end - 1;
  }
  m.finish(s);
}

/// True when `key` ends with `word`, compared case-blind with `-` and `.` read as `_`, and
/// the match is the whole key or follows a separator.
bool key_ends_with_word(std::string_view key, std::string_view word) noexcept {
  if (key.size() < word.size()) return false;
  const size_t offset = key.size() - word.size();
  for (size_t k = 0; k < word.size(); ++k) {
    char c = to_lower(key[offset + k]);
    if (c == '-' || c == '.') c = '_';
    if (c != word[k]) return false;
  }
  if (offset == 0) return true;
  const char before = key[offset - 1];
  return before == '_' || before == '-' || before == '.';
}

/// True when `secret` cannot be mistaken for ordinary output, so masking its text wherever it
/// appears reveals nothing: at least 8 bytes, mixing at least two of letters (non-ASCII bytes
/// count as letters), digits and symbols (whitespace is none of them), or at least 32 bytes.
/// A word ("authentication"), a phrase of words or a number is not distinctive: masking it in
/// "password authentication failed" would show the secret by where `[REDACTED]` lands.
bool is_distinctive(std::string_view secret) noexcept {
  if (secret.size() < kMinDistinctiveLength) return false;
  if (secret.size() >= kLongSecretLength) return true;
  bool letter = false;
  bool digit = false;
  bool symbol = false;
  for (const char c : secret) {
    const auto u = static_cast<unsigned char>(c);
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (is_alnum(c) || u >= 0x80) {
      letter = true;
    } else if (!is_space(c)) {
      symbol = true;
    }
  }
  return static_cast<int>(letter) + static_cast<int>(digit) + static_cast<int>(symbol) >= 2;
}

}  // namespace

void Redactor::add_secret(std::string value) {
  if (!is_distinctive(value)) return;
  std::lock_guard lock(mu_);
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  // Kept sorted longest first so the longest secret wins where several match.
  const auto at = std::find_if(secrets_.begin(), secrets_.end(),
                               [&](const std::string& s) { return s.size() < value.size(); });
  secrets_.insert(at, std::move(value));
}

std::string Redactor::redact(std::string_view text) const {
  std::string out(text);
  {
    std::lock_guard lock(mu_);
    mask_known(out, secrets_);
  }
  mask_private_keys(out);
  mask_bearer(out);
  mask_url_credentials(out);
  mask_key_values(out);
  return out;
}

bool Redactor::is_secret_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [key](std::string_view word) { return key_ends_with_word(key, word); });
}

}  // namespace freshguard::obs
