// Atomic file replacement: temporary file in the target's folder, fsync, rename, fsync folder.
#include "format/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "format/error.hpp"

namespace amber {
namespace {

[[noreturn]] void fail_errno(const std::filesystem::path& path, const std::string& what) {
  fail(ErrorKind::Io, path.string(), what + ": " + std::strerror(errno));
}

/// The mode a new file gets from open(2): 0666 less the umask (read without changing it).
mode_t default_mode() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) return 0666 & ~std::stoul(line.substr(6), nullptr, 8);
  }
  return 0644;
}

mode_t target_mode(const std::filesystem::path& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
  return default_mode();
}

void sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno(folder, "cannot open folder to sync");
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) fail_errno(folder, "cannot sync folder");
}

}  // namespace

void write_atomically(const std::filesystem::path& path,
                      const std::function<void(int fd)>& produce) {
  const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp = (folder / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) fail_errno(path, "cannot create a temporary file beside it");
  try {
    produce(fd);
    if (fchmod(fd, target_mode(path)) != 0) fail_errno(temp, "cannot set mode");
    if (fsync(fd) != 0) fail_errno(temp, "cannot sync");
    if (close(fd) != 0) {
      unlink(temp.c_str());
      fail_errno(temp, "cannot close");
    }
  } catch (...) {
    close(fd);
    unlink(temp.c_str());
    throw;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    unlink(temp.c_str());
    errno = saved;
    fail_errno(path, "cannot rename the temporary file over it");
  }
  sync_folder(folder);
}

}  // namespace amber
