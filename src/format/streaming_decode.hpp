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
///
/// The helpers stay at most about `lookahead` decoded bytes ahead of the furthest frame a
/// wait() has asked for, and stop there until the consumer asks for more: with release(), a
/// consumer that reads the arrays front to back then holds about that much decoded memory at a
/// time, however many cores run ahead of it.
class StreamingDecode {
 public:
  static constexpr uint64_t kDefaultLookahead = uint64_t{32} << 20;

  /// Checks the stored bytes' checksums first when `check_checksum` (throws, nothing started),
  /// then asks `threads` helpers (0: one fewer than the hardware threads, at least one).
  /// `lookahead` 0: no limit.
  StreamingDecode(const Reader& reader, std::vector<size_t> indices, bool check_checksum,
                  unsigned threads, uint64_t lookahead = kDefaultLookahead);
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
  /// Frames decoded so far, of all slots.
  size_t frames_decoded();
  /// The consumer is done with slot `k`'s first `bytes` decoded bytes (it copied what it needed
  /// and reads none of them again): the whole pages among the decoded ones go back to the
  /// system, so that a model read front to back never holds all of its decoded arrays at
  /// once. They read as zeros afterwards. Nothing for a raw array (a view of the file) or a
  /// string array. Returns the bytes given back by this call.
  size_t release(size_t k, uint64_t bytes);

 private:
  void run_job(size_t j);
  bool take_and_run();
  void worker();
  /// The last job helpers may take once a consumer waited for `job`, which ends `end` decoded
  /// bytes into the decode order.
  size_t horizon_after(size_t job, uint64_t end) const;
  /// Lets helpers run up to horizon_after(job), asking for helpers again if they had stopped.
  void raise_horizon(size_t job);
  void check_strings(size_t k);

  const Reader& reader_;
  std::vector<size_t> indices_;
  std::vector<ArrayData> out_;
  std::vector<std::shared_ptr<AlignedBlock>> blocks_;
  std::vector<std::pair<size_t, Reader::Frame>> jobs_;  // (slot, frame), in decode order
  std::vector<std::vector<size_t>> job_of_;             // [slot][frame]: its index in jobs_
  std::vector<uint64_t> job_start_;  // [job]: decoded bytes of the jobs before it
  uint64_t lookahead_ = 0;           // 0: none
  size_t min_ahead_ = 0;             // jobs a helper may always run past a waited one

  std::mutex mutex_;
  std::condition_variable progress_;
  std::vector<std::vector<bool>> frame_done_;  // [slot][frame]
  std::vector<size_t> ready_frames_;           // [slot]: frames done from the start
  std::vector<bool> strings_checked_;          // [slot]
  size_t jobs_done_ = 0;
  std::exception_ptr error_;
  size_t wanted_helpers_ = 0;
  size_t active_helpers_ = 0;
  size_t started_at_ = 0;  // the horizon when helpers were last asked for

  std::atomic<size_t> next_{0};
  std::atomic<size_t> horizon_{SIZE_MAX};  // the last job a helper may take (changed locked)
  std::atomic<bool> cancel_{false};
  // Last: joined before the state above goes (added to under the mutex).
  std::vector<std::unique_ptr<Helpers>> helpers_;
};

}  // namespace amber
