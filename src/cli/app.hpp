#pragma once
// The freshguard command-line tool. main() only forwards to run(); tests call run() too.

#include <iosfwd>

namespace freshguard::cli {

/// Exit codes (part of the user-facing contract).
inline constexpr int kExitOk = 0;           ///< every check ok / command succeeded
inline constexpr int kExitAlert = 1;        ///< at least one alert, no error
inline constexpr int kExitError = 2;        ///< at least one check (or connection) could not run
inline constexpr int kExitUsage = 64;       ///< EX_USAGE: bad arguments
inline constexpr int kExitCantCreate = 73;  ///< EX_CANTCREAT: init could not write its file
inline constexpr int kExitConfig = 78;      ///< EX_CONFIG: invalid configuration

/// Parses arguments and runs the command. Results go to `out`, messages for people to
/// `err`; logs go to stderr through the process logger.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace freshguard::cli
