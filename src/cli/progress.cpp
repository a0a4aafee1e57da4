// A progress line on standard error for long runs, drawn only when it is a terminal.
#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace amber::cli {
namespace {

constexpr auto kQuietPeriod = std::chrono::milliseconds(500);
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
constexpr int kBarWidth = 30;

}  // namespace

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(uint64_t total_bytes, bool enabled)
    : total_(total_bytes), enabled_(enabled), start_(Clock::now()), last_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t bytes, uint64_t rows) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (now - start_ < kQuietPeriod || (drawn_ && now - last_ < kRedrawEvery)) return;
  last_ = now;
  std::string line = "\r";
  if (total_ > 0) {
    const double share = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_));
    const int filled = static_cast<int>(share * kBarWidth);
    line += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, ' ') + "] " +
            std::to_string(static_cast<int>(share * 100)) + "% ";
  }
  line += std::to_string(rows) + " rows";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (!drawn_) return;
  std::fputs("\r\x1b[2K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace amber::cli
