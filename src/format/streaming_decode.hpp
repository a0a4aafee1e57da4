// Decoding several arrays in the background, so that a consumer that reads them front to back
// can start before the whole decode ends (loading a big model overlaps decompression with
// building the objects).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "format/buffer.hpp"
#include "format/parallel.hpp"
#include "format/reader.hpp"

namespace amber {

/// Decodes arrays `indices` of a reader on worker threads, frames ordered by their relative
/// position in their array (every array advances at the same pace). The reader must outlive
/// this object. A thread that waits decodes pending frames itself instead of sleeping.
class StreamingDecode {
 public:
  /// Checks the stored bytes' checksums first when `check_checksum` (throws, nothing started),
  /// then asks `threads` helpers (0: one fewer than the hardware threads, at least one).
  StreamingDecode(const Reader& reader, std::vector<size_t> indices, bool check_checksum,
                  unsigned threads);
  /// Stops handing out frames and joins the helpers (a load abandoned on an error).
  ~StreamingDecode();
  StreamingDecode(const StreamingDecode&) = delete;
  StreamingDecode& operator=(const StreamingDecode&) = delete;

  size_t size() const noexcept { return out_.size(); }
  /// The array index of request slot `k`.
  size_t index(size_t k) const { return indices_.at(k); }
  /// Request slot `k`'s array: a view of the file for a raw array, otherwise a block whose
  /// bytes are valid only up to what wait() has confirmed.
  const ArrayData& pending(size_t k) const { return out_.at(k); }
  /// Blocks until the first `bytes` decoded bytes of slot `k` are ready (all of a string
  /// array, checked). Rethrows the first error of any frame.
  void wait(size_t k, uint64_t bytes);
  /// Blocks until every frame is decoded; rethrows the first error.
  void wait_all();

 private:
  void run_job(size_t j);
  bool take_and_run();
  void worker();
  void check_strings(size_t k);

  const Reader& reader_;
  std::vector<size_t> indices_;
  std::vector<ArrayData> out_;
  std::vector<std::shared_ptr<AlignedBlock>> blocks_;
  std::vector<std::pair<size_t, Reader::Frame>> jobs_;  // (slot, frame), in decode order

  std::mutex mutex_;
  std::condition_variable progress_;
  std::vector<std::vector<bool>> frame_done_;  // [slot][frame]
  std::vector<size_t> ready_frames_;           // [slot]: frames done from the start
  std::vector<bool> strings_checked_;          // [slot]
  size_t jobs_done_ = 0;
  std::exception_ptr error_;

  std::atomic<size_t> next_{0};
  std::atomic<bool> cancel_{false};
  std::unique_ptr<Helpers> helpers_;  // last: joined before the state above goes
};

}  // namespace amber
