#include <freshguard/core/random.hpp>

namespace freshguard {
namespace {

constexpr int kMantissaBits = 53;
constexpr double kTwoToMinus53 = 1.0 / static_cast<double>(std::uint64_t{1} << kMantissaBits);

std::uint64_t seed_from_device() {
  std::random_device device;
  // random_device yields 32-bit values; two of them fill the 64-bit seed.
  const auto high = static_cast<std::uint64_t>(device());
  const auto low = static_cast<std::uint64_t>(device());
  return (high << 32U) ^ low;
}

}  // namespace

double unit_interval(std::uint64_t bits) noexcept {
  // std::uniform_real_distribution may return 1.0 on some implementations; this never does.
  return static_cast<double>(bits >> (64 - kMantissaBits)) * kTwoToMinus53;
}

SystemRandom::SystemRandom() : engine_(seed_from_device()) {}

double SystemRandom::uniform() {
  std::lock_guard lock(mu_);
  return unit_interval(engine_());
}

SystemRandom& SystemRandom::instance() {
  static SystemRandom random;
  return random;
}

SeededRandom::SeededRandom(std::uint64_t seed) : engine_(seed) {}

double SeededRandom::uniform() {
  std::lock_guard lock(mu_);
  return unit_interval(engine_());
}

}  // namespace freshguard
