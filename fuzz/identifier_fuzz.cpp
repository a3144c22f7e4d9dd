// Fuzz target: identifier validation and quoting. Any input either parses into names whose
// quoted forms need no escaping, or is rejected with a SecurityError of bounded length.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <freshguard/core/error.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/identifier.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using freshguard::sql::Dialect;
  using freshguard::sql::DialectKind;
  try {
    const auto name = freshguard::sql::QualifiedName::parse(text);
    for (auto kind : {DialectKind::kPostgres, DialectKind::kMysql, DialectKind::kSqlite}) {
      const std::string quoted = Dialect(kind).quote(name);
      // A validated name never needs escaping: quoting only adds the quote characters.
      if (quoted.size() != name.display().size() + (name.schema ? 4 : 2)) std::abort();
    }
  } catch (const freshguard::SecurityError& e) {
    // The message names the problem, never the input: its length does not grow with it.
    if (std::string_view(e.what()).size() > 200) std::abort();
  }
  return 0;
}
