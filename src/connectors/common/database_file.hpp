#pragma once
// The file behind an embedded database source (SQLite, DuckDB), checked before the engine
// opens it: only a regular file may be opened, so a FIFO, device, socket or directory at
// `path` fails fast with a clear error instead of blocking the caller in open(2).

#include <optional>
#include <string>
#include <string_view>

namespace freshguard::connectors {

/// Checks that `path` names a regular file (symlinks followed), without opening it (stat(2)
/// never blocks, even on a FIFO). `engine` ("SQLite", "DuckDB") and `source` name the
/// source in messages. Throws ConnectionError (not transient) when the file does not exist
/// or cannot be inspected, and when it is not a regular file: the message names the kind
/// of file found ("a FIFO (named pipe)", "a directory", ...) and asks for a database file.
/// Thread-safe.
void check_database_file(std::string_view engine, const std::string& source,
                         const std::string& path);

/// The system directory (/proc, /sys, /dev, /etc, /boot, /run) that `path` points into once
/// `..` and symlinks are resolved, or nullopt. DuckDB sources may not point there (DuckDB
/// would read what the path names); `validate` and the connector ask the same question.
std::optional<std::string> system_directory(const std::string& path);

/// "a FIFO (named pipe)", "a directory", "a character device", ... for a stat(2) mode that
/// is not a regular file; "a regular file" otherwise.
std::string describe_file_kind(unsigned int st_mode);

}  // namespace freshguard::connectors
