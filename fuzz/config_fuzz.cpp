// Fuzz target: the config loader. Any YAML (valid or not) yields a config or a list of
// problems; it never crashes, hangs or throws.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <freshguard/config/config.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "UNSET") return std::nullopt;
    return "value-of-" + name;
  };
  const auto result = freshguard::config::load_config_string(text, env);
  if (result.ok() == (!result.problems.empty())) std::abort();  // exactly one of the two
  return 0;
}
