// Parallel loops on a process-wide set of helper threads; the first exception is rethrown.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace amber {

/// The hardware threads this process may use (at least 1): on Linux the CPUs of its affinity
/// mask (`taskset`, a container's cpuset), and no more than its cgroup's CPU quota allows
/// (a container's CPU limit). Read once: counting them costs more than a one-row prediction.
unsigned hardware_threads();

/// Runs job(i) for i in [0, count) on the calling thread and up to `threads` - 1 helper threads
/// (0: hardware concurrency). Rethrows the first exception after every started job has
/// finished.
void parallel_for(size_t count, unsigned threads, const std::function<void(size_t)>& job);

namespace detail {
struct Submission;
}

/// Runs `task` on up to `count` of the process's helper threads, started once and kept: a load
/// or a batch prediction then costs a wake-up instead of a thread start, and each helper keeps
/// its zstd decompression context (its compression context and scratch buffer, which grow with
/// the work, are freed after each task). No helper may start at all (all busy, or none on a
/// one-core machine), so the owner must be able to finish the work alone. After fork() the
/// child gets a new set of helpers on first use.
class Helpers {
 public:
  Helpers(size_t count, std::function<void()> task);
  /// join()s.
  ~Helpers();
  Helpers(const Helpers&) = delete;
  Helpers& operator=(const Helpers&) = delete;

  /// Starts no more helpers and waits for the running ones to return from `task`.
  void join();

 private:
  std::shared_ptr<detail::Submission> submission_;
};

}  // namespace amber
