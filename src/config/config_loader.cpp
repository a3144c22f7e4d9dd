// Entry points: YAML text or a file in, a validated Config or every problem out.

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <istream>
#include <set>
#include <streambuf>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <freshguard/config/source_types.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/expr.hpp>

#include "config/yaml_reader.hpp"

namespace freshguard::config {
namespace {

constexpr std::string_view kTopLevelKeys[] = {"sources", "rules", "metadata", "logging", "alerts"};
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{10} * 1024 * 1024;
/// Most YAML nodes a document may expand to, an alias counted each time it is used: a small
/// file of nested aliases ("billion laughs") would otherwise expand to millions of rules.
constexpr std::size_t kMaxExpandedNodes = 1'000'000;

// yaml-cpp's message, cut before any ": <detail>" that could quote the document.
std::string syntax_message(const YAML::Exception& e) {
  std::string message = "invalid YAML";
  if (!e.mark.is_null()) {
    message += " at line " + std::to_string(e.mark.line + 1) + ", column " +
               std::to_string(e.mark.column + 1);
  }
  std::string reason = e.msg.substr(0, e.msg.find(": "));
  if (!reason.empty()) message += ": " + reason;
  return message;
}

// Reads a string_view as a stream without copying it (YAML::Load of a std::string copies
// the text into a stringstream: with the caller's copy, three copies of a 10 MiB file).
class ViewStreamBuf : public std::streambuf {
 public:
  explicit ViewStreamBuf(std::string_view text) {
    // The get area is only read; streambuf's interface takes non-const pointers.
    char* begin = const_cast<char*>(text.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    setg(begin, begin, begin + text.size());
  }
};

std::optional<YAML::Node> parse_yaml(std::string_view yaml, detail::Context& ctx) {
  try {
    ViewStreamBuf buffer(yaml);
    std::istream in(&buffer);
    return YAML::Load(in);
  } catch (const YAML::Exception& e) {
    ctx.add("", syntax_message(e));
    return std::nullopt;
  }
}

// Adds the nodes under `node` (itself included) to `count`, an alias each time it is
// reached, and stops as soon as `count` passes kMaxExpandedNodes: the walk costs at most that
// many steps whatever the aliases expand to. Iterative, so deep nesting cannot overflow the
// stack. False when the limit was passed.
bool count_nodes(const YAML::Node& node, std::size_t& count) {
  std::vector<YAML::Node> pending{node};
  while (!pending.empty()) {
    const YAML::Node current = pending.back();  // a handle: copying it is cheap
    pending.pop_back();
    if (++count > kMaxExpandedNodes) return false;
    if (current.IsSequence()) {
      for (auto it = current.begin(); it != current.end(); ++it)
        pending.push_back(*it);
    } else if (current.IsMap()) {
      for (auto it = current.begin(); it != current.end(); ++it) {
        pending.push_back(it->first);
        pending.push_back(it->second);
      }
    }
  }
  return true;
}

// Refuses a document that expands to more than kMaxExpandedNodes nodes, naming the top-level
// section where the limit was passed.
bool check_node_limit(detail::Context& ctx, const YAML::Node& root) {
  std::size_t count = 0;
  std::string path;
  bool within = true;
  if (root.IsMap()) {
    ++count;
    for (auto it = root.begin(); it != root.end() && within; ++it) {
      path = it->first.IsScalar() ? it->first.Scalar() : std::string();
      within = count_nodes(it->first, count) && count_nodes(it->second, count);
    }
  } else {
    within = count_nodes(root, count);
  }
  if (!within) {
    ctx.add(path, "the document expands to more than " + std::to_string(kMaxExpandedNodes) +
                      " YAML nodes (an alias counts each time it is used); write the rules out "
                      "or split the configuration");
  }
  return within;
}

// Every key under `sources:`, valid or not: rules may name them without a second problem.
std::set<std::string> source_names(const YAML::Node* sources) {
  std::set<std::string> names;
  if (sources == nullptr || !sources->IsMap()) return names;
  for (auto it = sources->begin(); it != sources->end(); ++it) {
    if (it->first.IsScalar()) names.insert(it->first.Scalar());
  }
  return names;
}

// The identifier limits of each rule's source dialect (PostgreSQL 63 bytes, MySQL 64), on
// names that passed the generic checks: a source's default schema and each rule's table and
// timestamp column, as the connectors check them before connecting.
void check_dialect_names(detail::Context& ctx, const Config& config) {
  for (const auto& [name, source] : config.sources) {
    const auto schema = sql::Identifier::try_parse(source.schema);
    try {
      if (schema) dialect_of(source.type).check(*schema, "schema name");
    } catch (const SecurityError& e) {
      ctx.add_security("sources." + name + ".schema", e.what());
    }
  }
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    const Rule& rule = config.rules[i];
    const auto source = config.sources.find(rule.source);
    if (source == config.sources.end()) continue;
    const sql::Dialect dialect = dialect_of(source->second.type);
    const std::string path = "rules[" + std::to_string(i) + "]";
    try {
      if (!rule.table.empty()) (void)dialect.parse_table(rule.table);
    } catch (const SecurityError& e) {
      ctx.add_security(path + ".table", e.what());
    }
    const auto column = sql::Identifier::try_parse(rule.freshness.timestamp_column);
    try {
      if (column) dialect.check(*column, "column name");
    } catch (const SecurityError& e) {
      ctx.add_security(path + ".timestamp_column", e.what());
    }
    // A filter the allowlist accepted may still use a construct this engine cannot express
    // (a cast to boolean on MySQL): say so now rather than at the first check.
    try {
      if (!rule.filter.empty()) (void)sql::render(security::parse_filter(rule.filter), dialect);
    } catch (const SecurityError&) {
      // already reported by the rule's own filter check
    } catch (const QueryError& e) {
      ctx.add(path + ".filter", e.what());
    }
  }
}

// A freshness rule without timestamp_column reads the table's last-modified time from
// catalog metadata, which only the warehouse connectors offer.
void check_catalog_freshness(detail::Context& ctx, const Config& config) {
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    const Rule& rule = config.rules[i];
    const auto source = config.sources.find(rule.source);
    if (rule.type != RuleType::kFreshness || !rule.freshness.timestamp_column.empty() ||
        source == config.sources.end()) {
      continue;
    }
    const SourceType type = source->second.type;
    const std::string rule_path = "rules[" + std::to_string(i) + "]";
    const std::string path = rule_path + ".timestamp_column";
    // A rule with problems of its own (a bad type, an invalid column) is not judged again.
    const auto& found = ctx.problems();
    if (std::any_of(found.begin(), found.end(), [&rule_path](const ConfigProblem& p) {
          return p.path.rfind(rule_path + ".", 0) == 0 || p.path == rule_path;
        })) {
      continue;
    }
    if (!source_type_info(type).catalog_freshness) {
      ctx.add(path, "is required for " + std::string(to_string(type)) +
                        " sources (only bigquery and snowflake sources can read freshness "
                        "from catalog metadata)");
    } else if (!rule.filter.empty()) {
      ctx.add(path, "is required when the rule has a filter");
    }
  }
}

// The form of `path` to compare with another: symlinks resolved where the file or its folders
// exist, else absolute and normalised.
std::filesystem::path comparable_path(const std::filesystem::path& path) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  if (!ec) return canonical;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path.lexically_normal() : absolute.lexically_normal();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec) && !ec) return true;  // hard links too
  return comparable_path(a) == comparable_path(b);
}

// History written into a watched SQLite/DuckDB file would put FreshGuard's own tables into
// the warehouse (and its row counts and schemas into the checks).
void check_metadata_path(detail::Context& ctx, const Config& config) {
  if (config.metadata.backend != MetadataBackend::kSqlite) return;
  for (const auto& [name, source] : config.sources) {
    const bool file_source =
        source.type == SourceType::kSqlite || source.type == SourceType::kDuckdb;
    if (!file_source || source.path.empty() || source.path == ":memory:") continue;
    if (!same_file(config.metadata.path, source.path)) continue;
    ctx.add("metadata.path", "is the database file of source \"" + name +
                                 "\"; history must not be written into a watched database: "
                                 "give metadata its own file (default .freshguard/metadata.db)");
  }
}

// Server database names are sent to the server as connection parameters and quoted where a
// query names them: refuse what no quoting can carry (quotes, backticks, NUL and other control
// characters) and names longer than the engine allows (PostgreSQL 63 bytes, MySQL 64
// characters, and MySQL names may not end with a space).
void check_database_names(detail::Context& ctx, const Config& config) {
  for (const auto& [name, source] : config.sources) {
    if (source.database.empty()) continue;
    const bool postgres = source.type == SourceType::kPostgres;
    if (!postgres && source.type != SourceType::kMysql) continue;
    const std::string path = "sources." + name + ".database";
    const std::string& db = source.database;
    const bool bad_char = std::any_of(db.begin(), db.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u < 0x20 || u == 0x7f || c == '"' || c == '\'' || c == '`';
    });
    const std::size_t limit = postgres ? 63 : 64;
    if (bad_char) {
      ctx.add(path, "must not contain quotes, backticks or control characters, got " +
                        detail::quote_text(db));
    } else if (db.size() > limit) {
      ctx.add(path, "must be at most " + std::to_string(limit) + " bytes for " +
                        std::string(to_string(source.type)) + ", got " + std::to_string(db.size()));
    } else if (!postgres && db.back() == ' ') {
      ctx.add(path, "must not end with a space (MySQL refuses such names)");
    }
  }
}

Config read_document(detail::Context& ctx, const YAML::Node& root,
                     const std::filesystem::path& file) {
  Config config;
  config.file = file;
  detail::MapReader top(ctx, root, "");
  top.check_keys(kTopLevelKeys, kTopLevelKeys, "");
  config.sources = detail::read_sources(ctx, top.find("sources"));
  config.rules = detail::read_rules(ctx, top.find("rules"), source_names(top.find("sources")));
  check_dialect_names(ctx, config);
  check_catalog_freshness(ctx, config);
  check_database_names(ctx, config);
  config.metadata = detail::read_metadata(ctx, top.find("metadata"));
  check_metadata_path(ctx, config);
  detail::check_history_windows(ctx, config.rules, config.metadata);
  config.logging = detail::read_logging(ctx, top.find("logging"));
  config.alerts = detail::read_alerts(ctx, top.find("alerts"));
  return config;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The password in `scheme://user:password@host/...`, raw and percent-decoded.
void add_url_password(std::string_view url, std::vector<std::string>& out) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return;
  auto authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return;
  const auto userinfo = authority.substr(0, at);
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) return;
  const auto password = userinfo.substr(colon + 1);
  out.emplace_back(password);
  std::string decoded;
  for (std::size_t i = 0; i < password.size(); ++i) {
    const int high =
        i + 2 < password.size() && password[i] == '%' ? hex_value(password[i + 1]) : -1;
    const int low = high >= 0 ? hex_value(password[i + 2]) : -1;
    if (low >= 0) {
      decoded += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      decoded += password[i];
    }
  }
  out.push_back(std::move(decoded));
}

// Closes a file descriptor on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

std::string errno_text(int error) {
  return std::strerror(error);  // NOLINT(concurrency-mt-unsafe): called with a saved errno
}

// What a non-regular file is, for the message.
std::string_view file_kind(mode_t mode) noexcept {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Reads the whole config file into `text`; a reason when it cannot. Never blocks: the file
// is opened with O_NONBLOCK (opening a FIFO would otherwise wait for a writer, and `serve`
// reads the file on its signal thread), and anything but a regular file is refused before a
// byte is read. At most kMaxFileBytes are read.
std::optional<std::string> read_config_text(const std::filesystem::path& file, std::string& text) {
  const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return errno_text(errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_text(errno);
  if (S_ISDIR(st.st_mode)) return errno_text(EISDIR);
  if (!S_ISREG(st.st_mode)) {
    return "it is " + std::string(file_kind(st.st_mode)) +
           ", not a regular file; point -c at a YAML file";
  }
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxFileBytes) {
    return std::string("the file is larger than the 10 MiB limit");
  }
  std::array<char, std::size_t{64} * 1024> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "read error: " + errno_text(errno);
    if (n == 0) return std::nullopt;
    text.append(buffer.data(), static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) return std::string("the file is larger than the 10 MiB limit");
  }
}

}  // namespace

std::vector<std::string> Config::secrets() const {
  std::vector<std::string> out;
  for (const auto& [name, source] : sources) {
    out.push_back(source.password);
    add_url_password(source.endpoint, out);
  }
  out.push_back(metadata.url);
  add_url_password(metadata.url, out);
  for (const auto& sink : alerts.sinks) {
    out.push_back(sink.routing_key);
    for (const auto& [header, value] : sink.headers)
      out.push_back(value);
    // A Slack incoming-webhook URL carries its token in the path: the whole URL is secret.
    if (sink.type == "slack") out.push_back(sink.url);
    add_url_password(sink.url, out);
  }
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

LoadResult load_config_string(std::string_view yaml, const EnvLookup& env,
                              const std::filesystem::path& file) {
  LoadResult result;
  detail::Context ctx(env, file);
  const auto root = parse_yaml(yaml, ctx);
  if (!root) {
    result.problems = std::move(ctx.problems());
    return result;
  }
  if (!check_node_limit(ctx, *root)) {
    // Reading it would cost memory and time in proportion to the expansion: one problem.
    result.problems = std::move(ctx.problems());
    return result;
  }
  if (root->IsNull()) {
    ctx.add("", "the configuration is empty; it needs at least sources: and rules:");
  } else if (!root->IsMap()) {
    ctx.add("", "the configuration must be a YAML map with sources: and rules:, got " +
                    detail::describe_node(*root));
  } else {
    auto config = read_document(ctx, *root, file);
    if (ctx.problems().empty()) result.config = std::move(config);
  }
  result.problems = std::move(ctx.problems());
  return result;
}

LoadResult load_config_file(const std::filesystem::path& file, const EnvLookup& env) {
  std::string text;
  if (auto problem = read_config_text(file, text)) {
    LoadResult result;
    result.problems.push_back(ConfigProblem{
        "", "cannot read config file \"" + file.string() + "\": " + std::move(*problem)});
    return result;
  }
  return load_config_string(text, env, file);
}

}  // namespace freshguard::config
