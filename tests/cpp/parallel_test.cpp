// parallel_for and Helpers on the process-wide helper threads: every index once, the first error
// rethrown, nesting, concurrent owners, owners that finish alone, a forked child, and the count
// of hardware threads under an affinity mask.
#include "format/parallel.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using amber::Helpers;
using amber::parallel_for;

/// Counts the runs of each index of [0, n) under parallel_for: every one must run exactly once.
void expect_each_index_once(size_t n, unsigned threads) {
  std::vector<std::atomic<int>> runs(n);
  parallel_for(n, threads, [&](size_t i) { runs[i]++; });
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(runs[i].load(), 1) << "index " << i;
}

TEST(ParallelFor, RunsEveryIndexOnce) {
  for (size_t n : {0, 1, 2, 3, 100, 10'000}) {
    for (unsigned threads : {0u, 1u, 2u, 8u}) expect_each_index_once(n, threads);
  }
}

TEST(ParallelFor, RethrowsTheFirstErrorAfterTheStartedJobs) {
  EXPECT_THROW(parallel_for(1000, 0,
                            [&](size_t i) {
                              if (i == 7) throw std::runtime_error("job 7");
                            }),
               std::runtime_error);
  // The helpers are free again: a second loop runs everything.
  expect_each_index_once(1000, 0);
}

TEST(ParallelFor, NestedLoopsFinish) {
  std::atomic<int> inner{0};
  parallel_for(8, 0, [&](size_t) { parallel_for(50, 0, [&](size_t) { inner++; }); });
  EXPECT_EQ(inner.load(), 8 * 50);
}

TEST(ParallelFor, ConcurrentOwnersShareTheHelpers) {
  std::vector<std::thread> owners;
  for (int t = 0; t < 6; ++t) {
    owners.emplace_back([] {
      for (int round = 0; round < 50; ++round) expect_each_index_once(64, 0);
    });
  }
  for (auto& owner : owners) owner.join();
}

TEST(Helpers, JoinWaitsForTheRunningTask) {
  std::atomic<bool> started{false}, release{false}, left{false};
  Helpers helpers(1, [&] {
    started = true;
    while (!release) std::this_thread::yield();
    left = true;
  });
  if (amber::hardware_threads() == 1) GTEST_SKIP() << "no helper thread on one core";
  while (!started) std::this_thread::yield();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    release = true;
  });
  helpers.join();
  EXPECT_TRUE(left.load());
  releaser.join();
}

TEST(Helpers, AnUnstartedTaskNeverRunsAfterJoin) {
  // Occupy every helper, then queue a task: join() must cancel it rather than wait for it.
  std::atomic<bool> release{false};
  std::atomic<int> busy{0};
  const size_t n = amber::hardware_threads() - 1;
  Helpers blockers(n, [&] {
    busy++;
    while (!release) std::this_thread::yield();
  });
  while (busy.load() < static_cast<int>(n)) std::this_thread::yield();
  std::atomic<bool> ran{false};
  {
    Helpers queued(1, [&] { ran = true; });
    queued.join();
  }
  release = true;
  blockers.join();
  EXPECT_FALSE(ran.load());
}

TEST(Helpers, AForkedChildGetsHelpersOfItsOwn) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer does not support threads started after fork()";
#endif
  expect_each_index_once(1000, 0);  // the parent's helpers exist
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Jobs slow enough that a helper, if the child has one, takes some of them.
    std::vector<std::thread::id> ran_on(40);
    parallel_for(ran_on.size(), 0, [&](size_t i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ran_on[i] = std::this_thread::get_id();
    });
    size_t on_helpers = 0;
    for (const auto& id : ran_on) {
      if (id == std::thread::id()) _exit(1);  // a job that never ran
      if (id != std::this_thread::get_id()) ++on_helpers;
    }
    _exit(amber::hardware_threads() > 1 && on_helpers == 0 ? 2 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(HardwareThreadsDeathTest, CountsTheCpusOfTheAffinityMask) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer does not support death tests";
#endif
  // "threadsafe" runs the test again in a new process: hardware_threads() reads the mask once,
  // and this process has read it already.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  EXPECT_EXIT(
      {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (sched_setaffinity(0, sizeof one, &one) != 0) _exit(3);
        _exit(amber::hardware_threads() == 1 ? 0 : 1);
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace
