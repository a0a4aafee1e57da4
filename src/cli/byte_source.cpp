// Buffered reading of an input file or standard input, with the position kept for progress.
#include "cli/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "format/error.hpp"

namespace amber::cli {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

[[noreturn]] void io_failure(const std::string& name, const char* what) {
  throw Error(ErrorKind::Io, name + ": " + what + ": " + std::strerror(errno));
}

/// A temporary file with no name (so nothing is left behind), in $TMPDIR or /tmp; -1 on failure.
int anonymous_temp_file() {
  const char* env = std::getenv("TMPDIR");
  const std::string dir = env && *env ? env : "/tmp";
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string path = dir + "/amber-input-XXXXXX";  // file systems without O_TMPFILE
  const int named = ::mkstemp(path.data());
  if (named >= 0) ::unlink(path.c_str());
  return named;
}

}  // namespace

std::unique_ptr<ByteSource> ByteSource::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<ByteSource>(new ByteSource(0, "<stdin>", false));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_failure(path, "cannot open");
  return std::unique_ptr<ByteSource>(new ByteSource(fd, path, true));
}

ByteSource::ByteSource(int fd, std::string name, bool owned)
    : fd_(fd), owned_(owned), name_(std::move(name)), buffer_(kBufferBytes) {
  struct stat info {};
  if (::fstat(fd_, &info) != 0) return;
  if (S_ISDIR(info.st_mode)) {
    if (owned_) ::close(fd_);
    throw Error(ErrorKind::Io, name_ + ": is a directory");
  }
  if (S_ISREG(info.st_mode)) {
    size_ = static_cast<uint64_t>(info.st_size);
    seekable_ = true;
  }
}

ByteSource::~ByteSource() {
  if (owned_) ::close(fd_);
}

bool ByteSource::fill() {
  pos_ = end_ = 0;
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n >= 0) {
      end_ = static_cast<size_t>(n);
      offset_ += end_;
      return n > 0;
    }
    if (errno != EINTR) io_failure(name_, "cannot read");
  }
}

bool ByteSource::read_line(std::string& line, size_t max, bool* too_long) {
  *too_long = false;
  bool any = false;
  for (;;) {
    if (pos_ == end_ && !fill()) return any;
    any = true;
    const char* begin = buffer_.data() + pos_;
    const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
    const size_t take = newline ? static_cast<size_t>(newline - begin) : end_ - pos_;
    if (line.size() + take > max) {
      *too_long = true;
      return true;
    }
    line.append(begin, take);
    pos_ += take;
    if (newline) {
      ++pos_;
      return true;
    }
  }
}

size_t ByteSource::read(void* dst, size_t n) {
  auto* out = static_cast<char*>(dst);
  size_t done = 0;
  while (done < n) {
    if (pos_ == end_ && !fill()) break;
    const size_t take = std::min(n - done, end_ - pos_);
    std::memcpy(out + done, buffer_.data() + pos_, take);
    pos_ += take;
    done += take;
  }
  return done;
}

void ByteSource::spool() {
  if (seekable_) return;
  const int tmp = anonymous_temp_file();
  if (tmp < 0) io_failure(name_, "cannot create a temporary file to read from");
  const uint64_t base = consumed();
  uint64_t written = 0;
  try {
    while (pos_ < end_ || fill()) {
      std::string_view chunk(buffer_.data() + pos_, end_ - pos_);
      while (!chunk.empty()) {
        const ssize_t n = ::write(tmp, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) io_failure(name_, "cannot write the temporary copy of the input");
        chunk.remove_prefix(static_cast<size_t>(n));
        written += static_cast<size_t>(n);
      }
      pos_ = end_;
    }
  } catch (...) {
    ::close(tmp);
    throw;
  }
  if (owned_) ::close(fd_);
  fd_ = tmp;
  owned_ = true;
  base_ = base;
  size_ = base + written;
  seekable_ = true;
}

bool ByteSource::read_at(uint64_t offset, void* dst, size_t n, size_t* got) {
  if (!seekable_ || offset < base_) return false;
  auto* out = static_cast<char*>(dst);
  *got = 0;
  while (*got < n) {
    const ssize_t r = ::pread(fd_, out + *got, n - *got, static_cast<off_t>(offset - base_ + *got));
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      io_failure(name_, "cannot read");
    }
    *got += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace amber::cli
