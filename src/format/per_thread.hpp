// One object per thread, made on the thread's first call and deleted when the thread ends.
#pragma once

#include <pthread.h>

#include <memory>
#include <system_error>

namespace amber {

/// This thread's T for `Tag`, default-constructed on its first call. `Tag` names the use, so
/// that two uses of one type (two `std::vector<size_t>`, say) never share an object; it is T
/// itself when T is a type of that use alone.
///
/// Why not a `thread_local T`: a thread_local with a destructor registers itself on first use
/// with `__cxa_thread_atexit`, and glibc then walks every loaded library to find the one that
/// owns the destructor (`_dl_find_dso_for_object`). In a Python process that imported
/// scikit-learn (about 270 libraries) that walk took 0.1 ms of a first load's 0.3 ms file open.
/// A thread_local pointer has no destructor to register; a pthread key deletes the object when
/// the thread exits, and its creation walks nothing.
///
/// The key is never deleted: a library that holds one must not be unloaded while threads that
/// used it still run (Python never unloads extension modules).
template <class Tag, class T = Tag>
T& per_thread() {
  static const pthread_key_t key = [] {
    pthread_key_t k;
    if (const int err = pthread_key_create(&k, [](void* p) { delete static_cast<T*>(p); })) {
      throw std::system_error(err, std::generic_category(), "pthread_key_create");
    }
    return k;
  }();
  thread_local T* mine = nullptr;
  if (mine == nullptr) {
    auto fresh = std::make_unique<T>();
    if (const int err = pthread_setspecific(key, fresh.get())) {
      throw std::system_error(err, std::generic_category(), "pthread_setspecific");
    }
    mine = fresh.release();
  }
  return *mine;
}

}  // namespace amber
