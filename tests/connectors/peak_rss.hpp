#pragma once
// Peak resident memory of this process, for tests that bound what one query may take.

#include <cstdint>
#include <fstream>
#include <string>

namespace freshguard::testing {

/// Reads a "Vm...:  N kB" line of /proc/self/status, in bytes; 0 when absent.
inline std::int64_t proc_status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

/// Measures the peak RSS growth of a stretch of code: the kernel's high-water mark (VmHWM)
/// is reset to the current RSS at construction (/proc/self/clear_refs), so earlier tests'
/// peaks do not hide this one's.
class PeakRss {
 public:
  PeakRss() {
    std::ofstream("/proc/self/clear_refs") << "5";
    start_ = proc_status_bytes("VmRSS");
  }
  /// Bytes the peak rose above the RSS at construction.
  std::int64_t growth() const { return proc_status_bytes("VmHWM") - start_; }

 private:
  std::int64_t start_ = 0;
};

constexpr std::int64_t kMiB = 1024 * 1024;

}  // namespace freshguard::testing
