// A process-wide set of detached helper threads serving a queue of submissions; parallel_for is
// a shared atomic counter over the caller and its helpers, first exception kept.
//
// The set is created on first use and never destroyed: detached threads waiting on a pool that
// outlives static destruction cannot touch freed memory at exit. fork() copies only the calling
// thread, so the child drops its pointer to the parent's set (leaking it) and starts its own.
#include "format/parallel.hpp"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include "format/codec.hpp"
#include "format/cpu_quota.hpp"

namespace amber {
namespace detail {

struct Submission {
  std::function<void()> task;
  size_t wanted = 0;   // helpers still to start (under the pool's mutex)
  size_t running = 0;  // helpers inside task (under the pool's mutex)
  pid_t pid = 0;       // the process whose helpers these are
};

}  // namespace detail
namespace {

using detail::Submission;

class Pool {
 public:
  explicit Pool(unsigned threads) {
    for (unsigned t = 0; t < threads; ++t) {
      try {
        std::thread([this] { serve(); }).detach();
      } catch (const std::system_error&) {
        break;  // fewer helpers: owners do more of the work themselves
      }
    }
  }

  void submit(const std::shared_ptr<Submission>& s) {
    const size_t wanted = s->wanted;  // read before a helper can take the submission
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(s);
    }
    if (wanted == 1) {
      work_.notify_one();
    } else {
      work_.notify_all();
    }
  }

  void join(Submission& s) {
    std::unique_lock lock(mutex_);
    if (s.wanted != 0) {
      s.wanted = 0;
      queue_.erase(std::find_if(queue_.begin(), queue_.end(),
                                [&](const auto& queued) { return queued.get() == &s; }));
    }
    idle_.wait(lock, [&] { return s.running == 0; });
  }

 private:
  void serve() {
    for (;;) {
      std::shared_ptr<Submission> s;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return !queue_.empty(); });
        s = queue_.front();
        if (--s->wanted == 0) queue_.pop_front();
        ++s->running;
      }
      s->task();                      // never throws: Helpers wraps it
      release_thread_codec_memory();  // this thread outlives the work that grew it
      {
        std::lock_guard lock(mutex_);
        --s->running;
      }
      idle_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_;  // a submission was queued
  std::condition_variable idle_;  // a helper left its task
  std::deque<std::shared_ptr<Submission>> queue_;
};

std::mutex pool_mutex;
Pool* pool = nullptr;  // leaked on purpose, see the file comment

void forget_pool_in_child() {
  pool = nullptr;
  new (&pool_mutex) std::mutex;  // the parent may have held it during fork()
}

Pool& the_pool() {
  std::lock_guard lock(pool_mutex);
  if (pool == nullptr) {
    static const bool registered = pthread_atfork(nullptr, nullptr, forget_pool_in_child) == 0;
    (void)registered;
    pool = new Pool(hardware_threads() - 1);
  }
  return *pool;
}

}  // namespace

namespace {

/// The CPUs this process may run on (taskset, a container's cpuset), with one system call:
/// hardware_concurrency counts every online CPU of the machine, read from /sys.
unsigned allowed_cpus() {
#ifdef __linux__
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&allowed)));
  }
#endif
  return std::max(1u, std::thread::hardware_concurrency());  // > 1024 CPUs, or not Linux
}

}  // namespace

unsigned hardware_threads() {
  static const unsigned threads = [] {
    const unsigned quota = cgroup_cpu_quota();
    return quota == 0 ? allowed_cpus() : std::min(allowed_cpus(), quota);
  }();
  return threads;
}

Helpers::Helpers(size_t count, std::function<void()> task) {
  if (count == 0 || hardware_threads() == 1) return;
  submission_ = std::make_shared<Submission>();
  submission_->task = [task = std::move(task)] {
    try {
      task();
    } catch (...) {
      // the task reports its own errors to its owner; a helper must survive any
    }
  };
  submission_->wanted = std::min<size_t>(count, hardware_threads() - 1);
  submission_->pid = getpid();
  the_pool().submit(submission_);
}

Helpers::~Helpers() { join(); }

void Helpers::join() {
  if (!submission_) return;
  // In a child forked while these helpers ran, they do not exist: nothing to wait for.
  if (submission_->pid == getpid()) the_pool().join(*submission_);
  submission_.reset();
}

void parallel_for(size_t count, unsigned threads, const std::function<void(size_t)>& job) {
  if (threads == 0) threads = hardware_threads();
  const size_t workers = std::min<size_t>(threads, count);
  if (workers <= 1) {
    for (size_t i = 0; i < count; ++i) job(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto work = [&] {
    for (size_t i = next++; i < count && !stop; i = next++) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        stop = true;
      }
    }
  };
  {
    Helpers helpers(workers - 1, work);
    work();
  }  // joined: no helper still reads the locals above
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace amber
