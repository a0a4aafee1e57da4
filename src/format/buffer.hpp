// Byte buffers that own or share their memory: file mappings, copies, and decoded arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

namespace amber {

/// Read-only bytes kept alive by whoever holds the shared_ptr.
class Buffer {
 public:
  virtual ~Buffer() = default;
  virtual std::span<const uint8_t> bytes() const noexcept = 0;
};

/// A file's bytes (an empty file gives an empty buffer): read into memory below `read_below`
/// bytes, mapped read-only otherwise. Mapping a small file costs more than copying it (the map,
/// its page faults and the unmap are each a kernel entry), while a big one is better left to
/// the page cache, shared between processes. Throws Error(Io).
std::shared_ptr<const Buffer> read_or_map_file(const std::filesystem::path& path,
                                               uint64_t read_below);

/// Copies bytes into a buffer that owns them, 64-byte aligned.
std::shared_ptr<const Buffer> copy_buffer(std::span<const uint8_t> bytes);

/// Wraps caller memory; `owner` is kept alive as long as the buffer.
std::shared_ptr<const Buffer> borrow_buffer(std::span<const uint8_t> bytes,
                                            std::shared_ptr<const void> owner);

/// A writable, 64-byte aligned heap block of exactly `size` bytes (decoded arrays).
class AlignedBlock final : public Buffer {
 public:
  explicit AlignedBlock(size_t size);
  ~AlignedBlock() override;
  AlignedBlock(const AlignedBlock&) = delete;
  AlignedBlock& operator=(const AlignedBlock&) = delete;
  std::span<const uint8_t> bytes() const noexcept override { return {data_, size_}; }
  uint8_t* data() noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  /// Gives the whole pages of bytes [0, end) back to the system (huge pages, for a block
  /// backed by them), those of earlier calls excepted: a reader that copied what it needs of
  /// the front of the block frees that memory while it reads the rest. They read as zeros
  /// afterwards. Returns the bytes given back by this call. Not thread-safe.
  size_t discard_front(size_t end) noexcept;

 private:
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kHugeBlock = size_t{4} << 20;
  uint8_t* data_;
  size_t size_;
  uintptr_t discarded_to_ = 0;  // address: the pages below it went back
};

}  // namespace amber
