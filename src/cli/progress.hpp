// A progress line on standard error for long runs, drawn only when it is a terminal.
#pragma once

#include <chrono>
#include <cstdint>

namespace amber::cli {

/// Shows rows done (and the share of the input read, when its size is known) once a run has
/// taken longer than a moment; short runs and redirected stderr never see it.
class Progress {
 public:
  /// `total_bytes` is the input's size, 0 when unknown; `enabled` false shows nothing.
  Progress(uint64_t total_bytes, bool enabled);
  ~Progress();
  void update(uint64_t bytes, uint64_t rows);
  /// Clears the line, if one was drawn.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_;
  Clock::time_point last_;
};

/// Whether standard error is a terminal.
bool stderr_is_terminal();

}  // namespace amber::cli
