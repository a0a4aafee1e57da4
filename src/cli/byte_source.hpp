// Buffered reading of an input file or standard input, with the position kept for progress.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace amber::cli {

/// Reads a file (or standard input for "-") through a buffer. Throws Error(Io) when the file
/// cannot be opened or read.
class ByteSource {
 public:
  static std::unique_ptr<ByteSource> open(const std::string& path);
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  /// The name for messages: the path, or "<stdin>".
  const std::string& name() const noexcept { return name_; }
  /// The next byte, or -1 at the end.
  int get() {
    if (pos_ == end_ && !fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_++]);
  }
  /// The next byte without consuming it, or -1 at the end.
  int peek() {
    if (pos_ == end_ && !fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_]);
  }
  /// Appends the bytes up to the next '\n' (consumed, not appended) to `line`; false when the
  /// input had ended. Stops with `*too_long` once `line` would exceed `max` bytes.
  bool read_line(std::string& line, size_t max, bool* too_long);
  /// Reads up to `n` bytes; fewer only at the end.
  size_t read(void* dst, size_t n);
  /// Copies the rest of a pipe to an anonymous temporary file so that read_at works on it (a
  /// Fortran-order .npy is read column by column); offsets stay those of the whole input.
  void spool();
  /// Reads `n` bytes at `offset` without moving the position; false when not seekable.
  bool read_at(uint64_t offset, void* dst, size_t n, size_t* got);
  /// Bytes consumed so far, and the size of a regular file (0 otherwise).
  uint64_t consumed() const noexcept { return offset_ - (end_ - pos_); }
  uint64_t size() const noexcept { return size_; }
  bool seekable() const noexcept { return seekable_; }

 private:
  ByteSource(int fd, std::string name, bool owned);
  bool fill();

  int fd_;
  bool owned_;
  std::string name_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;  ///< bytes read from the descriptor
  uint64_t size_ = 0;
  uint64_t base_ = 0;  ///< input offset of the descriptor's byte 0 (after spool())
  bool seekable_ = false;
};

}  // namespace amber::cli
