#pragma once
/// Injected randomness. Logic that needs chance (backoff jitter) takes a Random&, so tests
/// pass a SeededRandom and get the same sequence on every run and every platform.

#include <cstdint>
#include <mutex>
#include <random>

namespace freshguard {

/// A source of uniform random numbers. Implementations must be thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  /// A uniformly distributed double in [0, 1) (never 1.0), with 53 random bits.
  virtual double uniform() = 0;
};

/// std::mt19937_64 seeded once from std::random_device; a mutex guards the engine, so one
/// instance may be shared by every thread.
class SystemRandom final : public Random {
 public:
  SystemRandom();
  double uniform() override;
  /// A process-wide instance.
  static SystemRandom& instance();

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

/// std::mt19937_64 with a fixed seed: the same seed gives the same sequence (the engine and
/// the conversion to double are fully specified by the standard). Thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  double uniform() override;

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

/// Maps 64 random bits to [0, 1): the top 53 bits scaled by 2^-53. Exposed for tests.
double unit_interval(std::uint64_t bits) noexcept;

}  // namespace freshguard
