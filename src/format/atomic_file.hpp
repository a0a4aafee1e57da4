// Atomic replacement of a file: the target is either the old file or the whole new one.
#pragma once

#include <filesystem>
#include <functional>

namespace amber {

/// Writes `path` atomically: `produce(fd)` writes the content to a temporary file in the same
/// folder, which is then fsynced and renamed over `path`, and the folder fsynced. On any
/// failure the temporary file is removed and `path` is left as it was. Throws Error(Io).
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(int fd)>& produce);

}  // namespace amber
