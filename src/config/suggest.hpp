#pragma once
/// Internal to the config component: "did you mean" suggestions for misspelt keys and values.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace freshguard::config::detail {

/// The candidate that `word` most likely misspells, or nullopt when none is close. Close
/// means a small edit distance (ignoring case; a swap of neighbours counts as one edit) or
/// one being a prefix of the other with at least four characters in common. Ties go to the
/// earlier candidate.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

/// "; did you mean 'x'?" when closest_match finds x, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace freshguard::config::detail
