// Fuzz target: the query analyser and the filter check. Any text is accepted or rejected
// with a SecurityError; an accepted query is always a single SELECT without denied calls.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <freshguard/core/error.hpp>
#include <freshguard/security/query_analyzer.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const freshguard::security::QueryAnalyzer analyzer;
  try {
    const auto a = analyzer.check(text);
    if (a.statements != 1 || a.statement_kind != "SELECT") std::abort();
    for (const auto& f : a.functions) {
      if (freshguard::security::is_denied_function(f)) std::abort();
    }
  } catch (const freshguard::SecurityError&) {
  }
  try {
    analyzer.check_filter(text);
  } catch (const freshguard::SecurityError&) {
  }
  return 0;
}
