#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <freshguard/core/clock.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/printable.hpp>

namespace freshguard::obs {
namespace {

/// The fixed fields; an extra field with one of these names is written as `extra.<name>`.
constexpr std::string_view kReservedKeys[] = {"timestamp",   "level",  "component",
                                              "action",      "source", "table",
                                              "duration_ms", "error",  "message"};

bool equals_ci(std::string_view a, std::string_view lower) noexcept {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != lower[i]) return false;
  }
  return true;
}

spdlog::level::level_enum to_spdlog(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      break;
  }
  return spdlog::level::off;
}

/// The level as shown in text lines: upper case, padded to five characters.
std::string_view text_level(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace:
      return "TRACE";
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO ";
    case LogLevel::kWarn:
      return "WARN ";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kOff:
      break;
  }
  return "OFF  ";
}

void append_padded(std::string& out, long long value, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 24 characters hold any long long
  for (auto digits = end - buf; digits < width; ++digits)
    out += '0';
  out.append(buf, end);
}

/// ISO-8601 UTC with milliseconds: `2026-11-27T14:03:07.123Z`.
std::string format_timestamp(WallTime t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  std::string out;
  out.reserve(24);
  append_padded(out, static_cast<int>(ymd.year()), 4);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  append_padded(out, hms.hours().count(), 2);
  out += ':';
  append_padded(out, hms.minutes().count(), 2);
  out += ':';
  append_padded(out, hms.seconds().count(), 2);
  out += '.';
  append_padded(out, hms.subseconds().count(), 3);
  out += 'Z';
  return out;
}

std::string format_number(double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 32 characters hold the shortest form of any double
  return std::string(buf, end);
}

/// Text-format value: terminal controls and invalid UTF-8 escaped (append_printable) so an
/// event stays on one line and cannot drive the terminal; quoted when `quote_if_needed` and
/// the value is empty or holds whitespace or quotes.
void append_text_value(std::string& out, std::string_view value, bool quote_if_needed) {
  const bool quote = quote_if_needed &&
                     (value.empty() || value.find_first_of(" \t\n\r\"") != std::string_view::npos);
  if (quote) out += '"';
  append_printable(out, value, quote);
  if (quote) out += '"';
}

bool is_reserved(std::string_view key) noexcept {
  for (const auto reserved : kReservedKeys) {
    if (key == reserved) return true;
  }
  return false;
}

std::string field_value(const Redactor& redactor, const std::string& key,
                        const std::string& value) {
  if (Redactor::is_secret_key(key)) return std::string(kRedacted);
  return redactor.redact(value);
}

std::string json_line(const LogEvent& e, const Redactor& r, const std::string& timestamp) {
  nlohmann::ordered_json j;
  j["timestamp"] = timestamp;
  j["level"] = to_string(e.level);
  j["component"] = r.redact(e.component);
  j["action"] = r.redact(e.action);
  if (!e.source.empty()) j["source"] = r.redact(e.source);
  if (!e.table.empty()) j["table"] = r.redact(e.table);
  if (e.duration_ms) j["duration_ms"] = *e.duration_ms;
  if (!e.error.empty()) j["error"] = r.redact(e.error);
  if (!e.message.empty()) j["message"] = r.redact(e.message);
  for (const auto& [key, value] : e.fields) {
    j[is_reserved(key) ? "extra." + key : key] = field_value(r, key, value);
  }
  return escape_json_controls(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string text_line(const LogEvent& e, const Redactor& r, const std::string& timestamp) {
  std::string out = timestamp;
  out += ' ';
  out += text_level(e.level);
  auto word = [&](const std::string& value) {
    if (value.empty()) return;
    out += ' ';
    append_text_value(out, r.redact(value), false);
  };
  auto pair = [&](std::string_view key, const std::string& value) {
    out += ' ';
    append_text_value(out, key, false);
    out += '=';
    append_text_value(out, value, true);
  };
  word(e.component);
  word(e.action);
  if (!e.source.empty()) pair("source", r.redact(e.source));
  if (!e.table.empty()) pair("table", r.redact(e.table));
  if (e.duration_ms) pair("duration_ms", format_number(*e.duration_ms));
  if (!e.error.empty()) pair("error", r.redact(e.error));
  for (const auto& [key, value] : e.fields)
    pair(key, field_value(r, key, value));
  word(e.message);
  return out;
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      break;
  }
  return "off";
}

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
  for (const auto level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                           LogLevel::kError, LogLevel::kOff}) {
    if (equals_ci(text, to_string(level))) return level;
  }
  if (equals_ci(text, "warning")) return LogLevel::kWarn;
  return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view text) noexcept {
  if (equals_ci(text, "json")) return LogFormat::kJson;
  if (equals_ci(text, "text")) return LogFormat::kText;
  return std::nullopt;
}

/// The spdlog logger. It is not registered with spdlog, filters nothing (Logger::enabled
/// does) and prints the line it is given, flushing after each one.
struct Logger::Impl {
  explicit Impl(spdlog::sink_ptr sink) : spd("freshguard", std::move(sink)) {
    spd.set_pattern("%v");
    spd.set_level(spdlog::level::trace);
    spd.flush_on(spdlog::level::trace);
  }
  spdlog::logger spd;
};

Logger::Logger(LogLevel level, LogFormat format, std::shared_ptr<Redactor> redactor)
    : impl_(std::make_unique<Impl>(std::make_shared<spdlog::sinks::stderr_sink_mt>())),
      level_(level),
      format_(format),
      redactor_(redactor ? std::move(redactor) : std::make_shared<Redactor>()) {}

Logger::Logger(LogLevel level, LogFormat format, std::shared_ptr<Redactor> redactor,
               std::ostream& out)
    : impl_(std::make_unique<Impl>(std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true))),
      level_(level),
      format_(format),
      redactor_(redactor ? std::move(redactor) : std::make_shared<Redactor>()) {}

Logger::~Logger() = default;

bool Logger::enabled(LogLevel level) const noexcept {
  return level_ != LogLevel::kOff && level != LogLevel::kOff && level >= level_;
}

void Logger::log(const LogEvent& event) {
  if (!enabled(event.level)) return;
  const std::string timestamp = format_timestamp(SystemClock::instance().wall_now());
  const std::string line = format_ == LogFormat::kJson ? json_line(event, *redactor_, timestamp)
                                                       : text_line(event, *redactor_, timestamp);
  impl_->spd.log(to_spdlog(event.level), spdlog::string_view_t(line.data(), line.size()));
}

namespace {

/// Owns every logger ever installed. Replaced loggers are kept alive until exit so a reference
/// returned by logger() never dangles. Never destroyed, so logging from static destructors
/// is safe.
struct Registry {
  std::mutex mu;
  std::vector<std::unique_ptr<Logger>> loggers;
  std::atomic<Logger*> current{nullptr};
};

std::unique_ptr<Logger> make_default_logger() {
  return std::make_unique<Logger>(LogLevel::kWarn, LogFormat::kJson, std::make_shared<Redactor>());
}

Registry& registry() {
  static Registry* const instance = [] {
    auto* r = new Registry();
    r->loggers.push_back(make_default_logger());
    r->current.store(r->loggers.back().get(), std::memory_order_release);
    return r;
  }();
  return *instance;
}

}  // namespace

Logger& logger() {
  return *registry().current.load(std::memory_order_acquire);
}

void set_logger(std::unique_ptr<Logger> logger) {
  if (!logger) logger = make_default_logger();  // null restores the default
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.current.store(logger.get(), std::memory_order_release);
  r.loggers.push_back(std::move(logger));
}

}  // namespace freshguard::obs
