#include "connectors/common/database_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <sys/stat.h>

#include <freshguard/core/error.hpp>

namespace freshguard::connectors {

std::optional<std::string> system_directory(const std::string& path) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(path, ec).string();
  for (const char* dir : {"/proc", "/sys", "/dev", "/etc", "/boot", "/run"}) {
    const std::string d(dir);
    if (canonical == d || canonical.rfind(d + "/", 0) == 0) return d;
  }
  return std::nullopt;
}

std::string describe_file_kind(unsigned int st_mode) {
  switch (st_mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO (named pipe)";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    default:
      return "not a regular file";
  }
}

void check_database_file(std::string_view engine, const std::string& source,
                         const std::string& path) {
  const std::string where =
      "cannot open " + std::string(engine) + " database for source \"" + source + "\"";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) throw ConnectionError(where + ": file not found", false);
    throw ConnectionError(where + ": cannot inspect its path", false, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    throw ConnectionError(where + ": path is " + describe_file_kind(st.st_mode) +
                              ", not a database file; point path at a regular " +
                              std::string(engine) + " database file",
                          false);
  }
}

}  // namespace freshguard::connectors
