// per_thread: one object per thread and tag, the same one on every call, deleted when its thread
// ends.
#include "format/per_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

std::atomic<int> g_alive{0};

struct Counted {
  Counted() { ++g_alive; }
  ~Counted() { --g_alive; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  int value = 0;
};

struct FirstUse;
struct SecondUse;

TEST(PerThread, TheSameObjectOnEveryCallOfAThread) {
  Counted& a = amber::per_thread<Counted>();
  a.value = 7;
  EXPECT_EQ(&amber::per_thread<Counted>(), &a);
  EXPECT_EQ(amber::per_thread<Counted>().value, 7);
}

TEST(PerThread, TagsOfOneTypeGetObjectsOfTheirOwn) {
  auto& first = amber::per_thread<FirstUse, std::vector<int>>();
  auto& second = amber::per_thread<SecondUse, std::vector<int>>();
  EXPECT_NE(&first, &second);
  first.assign(3, 1);
  EXPECT_TRUE(second.empty());
}

TEST(PerThread, EachThreadHasItsOwnAndEndingThreadsDeleteTheirs) {
  amber::per_thread<Counted>();  // this thread's, alive until the test binary exits
  const int before = g_alive.load();
  constexpr int kThreads = 8;
  std::vector<Counted*> seen(kThreads);
  std::atomic<int> made{0};
  std::atomic<bool> go_on{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      seen[t] = &amber::per_thread<Counted>();
      seen[t]->value = t;
      ++made;
      while (!go_on) std::this_thread::yield();  // all alive at once: no address reused
      EXPECT_EQ(amber::per_thread<Counted>().value, t);
    });
  }
  while (made < kThreads) std::this_thread::yield();
  EXPECT_EQ(g_alive.load(), before + kThreads);
  go_on = true;
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int u = t + 1; u < kThreads; ++u) EXPECT_NE(seen[t], seen[u]);
    EXPECT_NE(seen[t], &amber::per_thread<Counted>());
  }
  EXPECT_EQ(g_alive.load(), before);  // joined threads deleted theirs
}

}  // namespace
