// File mappings, files read whole, owned copies and borrowed memory behind one Buffer interface.
#include "format/buffer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "format/error.hpp"

namespace amber {
namespace {

class MappedFile final : public Buffer {
 public:
  MappedFile(void* address, size_t size) : address_(address), size_(size) {}
  ~MappedFile() override {
    if (size_ != 0) munmap(address_, size_);
  }
  std::span<const uint8_t> bytes() const noexcept override {
    return {static_cast<const uint8_t*>(address_), size_};
  }

 private:
  void* address_;
  size_t size_;
};

class BorrowedBuffer final : public Buffer {
 public:
  BorrowedBuffer(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner)
      : bytes_(bytes), owner_(std::move(owner)) {}
  std::span<const uint8_t> bytes() const noexcept override { return bytes_; }

 private:
  std::span<const uint8_t> bytes_;
  std::shared_ptr<const void> owner_;
};

[[noreturn]] void fail_errno(const std::filesystem::path& path, const char* what) {
  fail(ErrorKind::Io, path.string(), std::string(what) + ": " + std::strerror(errno));
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

std::shared_ptr<const Buffer> read_or_map_file(const std::filesystem::path& path,
                                               uint64_t read_below) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) fail_errno(path, "cannot open");
  struct stat st {};
  if (fstat(file.fd, &st) != 0) fail_errno(path, "cannot stat");
  if (!S_ISREG(st.st_mode)) fail(ErrorKind::Io, path.string(), "not a regular file");
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return std::make_shared<MappedFile>(nullptr, 0);
  if (size < read_below) {
    auto block = std::make_shared<AlignedBlock>(size);
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::read(file.fd, block->data() + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_errno(path, "cannot read");
      if (n == 0) fail(ErrorKind::Io, path.string(), "changed size while being read");
      done += static_cast<size_t>(n);
    }
    return block;
  }
  void* address = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, file.fd, 0);
  if (address == MAP_FAILED) fail_errno(path, "cannot map");
  return std::make_shared<MappedFile>(address, size);
}

std::shared_ptr<const Buffer> copy_buffer(std::span<const uint8_t> bytes) {
  auto block = std::make_shared<AlignedBlock>(bytes.size());
  if (!bytes.empty()) std::memcpy(block->data(), bytes.data(), bytes.size());
  return block;
}

std::shared_ptr<const Buffer> borrow_buffer(std::span<const uint8_t> bytes,
                                            std::shared_ptr<const void> owner) {
  return std::make_shared<BorrowedBuffer>(bytes, std::move(owner));
}

AlignedBlock::AlignedBlock(size_t size) : data_(nullptr), size_(size) {
  // aligned_alloc wants a multiple of the alignment; at least one block so data_ is never null.
  // A size within 63 of SIZE_MAX would round past 2^64 to a tiny block that claims SIZE_MAX.
  if (size > SIZE_MAX - kHugePage) throw std::bad_alloc();
  // A large block is decoded into once, front to back: backing it with transparent huge pages
  // takes one page fault per 2 MiB instead of 512, which is a third of the decode time of a
  // big model otherwise (NumPy does the same for its large arrays).
  const bool huge = size >= kHugeBlock;
  const size_t align = huge ? kHugePage : 64;
  const size_t rounded = ((size + align - 1) / align) * align;
  data_ = static_cast<uint8_t*>(std::aligned_alloc(align, rounded == 0 ? 64 : rounded));
  if (data_ == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (huge) madvise(data_, rounded, MADV_HUGEPAGE);  // advice only: failure changes nothing
#endif
}

size_t AlignedBlock::discard_front(size_t end) noexcept {
  // A huge page is given back whole or not at all: splitting one costs more than it frees.
  static const size_t small_page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t page = size_ >= kHugeBlock ? kHugePage : small_page;
  const auto start = reinterpret_cast<uintptr_t>(data_);
  const uintptr_t first = std::max(discarded_to_, (start + page - 1) / page * page);
  const uintptr_t last = (start + std::min(end, size_)) / page * page;
  if (first >= last) return 0;
  // Advice on memory this block owns: a failure leaves the bytes in place, which is no error.
  if (madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) return 0;
  discarded_to_ = last;
  return last - first;
}

AlignedBlock::~AlignedBlock() { std::free(data_); }

}  // namespace amber
