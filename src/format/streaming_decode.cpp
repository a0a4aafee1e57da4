// StreamingDecode: a shared counter over frames sorted by relative position, a mutex and a
// condition variable for progress, the first error kept and rethrown to every waiter.
#include "format/streaming_decode.hpp"

#include <algorithm>

#include "format/error.hpp"
#include "format/manifest.hpp"
#include "format/parallel.hpp"

namespace amber {

StreamingDecode::StreamingDecode(const Reader& reader, std::vector<size_t> indices,
                                 bool check_checksum, unsigned threads, uint64_t lookahead)
    : reader_(reader), indices_(std::move(indices)) {
  for (size_t i : indices_) reader_.stored_bytes(i);  // range check before any work
  if (check_checksum) {
    parallel_for(indices_.size(), 0, [&](size_t k) { reader_.check_checksum(indices_[k]); });
  }
  const size_t n = indices_.size();
  out_.resize(n);
  blocks_.resize(n);
  frame_done_.resize(n);
  ready_frames_.assign(n, 0);
  strings_checked_.assign(n, false);
  for (size_t k = 0; k < n; ++k) {
    const size_t i = indices_[k];
    const ArrayInfo& info = reader_.arrays()[i];
    if (info.codec == Codec::Raw) {
      out_[k] = reader_.array(i, false);  // a view that keeps the file alive
      continue;
    }
    blocks_[k] = std::make_shared<AlignedBlock>(info.decoded_length);
    out_[k] = {&info, blocks_[k]->bytes(), blocks_[k], false};
    frame_done_[k].assign(info.frames.size(), false);
    for (const Reader::Frame& frame : reader_.frames(i)) jobs_.emplace_back(k, frame);
  }
  // Frame f of an array of F frames sits at f / F of it: consumers reading every array front
  // to back (tree columns, node by node) need the arrays to advance together.
  std::stable_sort(jobs_.begin(), jobs_.end(), [&](const auto& a, const auto& b) {
    const double pa = static_cast<double>(a.second.frame) / frame_done_[a.first].size();
    const double pb = static_cast<double>(b.second.frame) / frame_done_[b.first].size();
    return pa < pb;
  });
  job_of_.resize(n);
  for (size_t k = 0; k < n; ++k) job_of_[k].resize(frame_done_[k].size());
  job_start_.resize(jobs_.size());
  uint64_t before = 0;
  for (size_t j = 0; j < jobs_.size(); ++j) {
    const auto& [slot, frame] = jobs_[j];
    job_of_[slot][frame.frame] = j;
    job_start_[j] = before;
    const ArrayInfo& info = *out_[slot].info;
    before += std::min(info.chunk, info.decoded_length - frame.frame * info.chunk);
  }
  if (threads == 0) threads = std::max(1u, hardware_threads() - 1);
  wanted_helpers_ = std::min<size_t>(threads, jobs_.size());
  lookahead_ = lookahead;
  // At least two frames per helper, so that none waits for work while the consumer reads.
  min_ahead_ = 2 * wanted_helpers_;
  if (lookahead_ != 0) horizon_ = horizon_after(0, 0);
  started_at_ = horizon_;
  // A frame no helper takes is decoded by the thread that waits for it.
  if (wanted_helpers_ > 0) {
    helpers_.push_back(std::make_unique<Helpers>(wanted_helpers_, [this] { worker(); }));
  }
}

StreamingDecode::~StreamingDecode() {
  cancel_ = true;
  for (auto& helpers : helpers_) helpers->join();
}

void StreamingDecode::run_job(size_t j) {
  const auto& [slot, frame] = jobs_[j];
  std::exception_ptr error;
  try {
    reader_.decode_frame(frame, {blocks_[slot]->data(), blocks_[slot]->size()});
  } catch (...) {
    error = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  ++jobs_done_;
  if (error) {
    if (!error_) error_ = error;
    cancel_ = true;
  } else {
    auto& done = frame_done_[slot];
    done[frame.frame] = true;
    size_t& ready = ready_frames_[slot];
    while (ready < done.size() && done[ready]) ++ready;
  }
  progress_.notify_all();
}

bool StreamingDecode::take_and_run() {
  size_t j = next_.load();
  do {
    if (cancel_ || j >= jobs_.size() || j > horizon_.load()) return false;
  } while (!next_.compare_exchange_weak(j, j + 1));
  run_job(j);
  return true;
}

void StreamingDecode::worker() {
  {
    std::lock_guard lock(mutex_);
    ++active_helpers_;
  }
  for (;;) {
    while (take_and_run()) {
    }
    // Leave (freeing the pool's thread) only under the lock that raise_horizon() takes: either
    // it sees this helper gone and asks for another, or this helper sees the new horizon.
    std::lock_guard lock(mutex_);
    if (cancel_ || next_ >= jobs_.size() || next_ > horizon_) {
      --active_helpers_;
      return;
    }
  }
}

size_t StreamingDecode::horizon_after(size_t job, uint64_t end) const {
  const uint64_t limit = end > UINT64_MAX - lookahead_ ? UINT64_MAX : end + lookahead_;
  // The last job that starts before `limit`, but never fewer than min_ahead_ past `job`.
  const auto after = std::lower_bound(job_start_.begin(), job_start_.end(), limit);
  const size_t last = static_cast<size_t>(after - job_start_.begin());
  return std::max<size_t>(last == 0 ? 0 : last - 1, job + min_ahead_);
}

void StreamingDecode::raise_horizon(size_t job) {
  if (lookahead_ == 0) return;
  const uint64_t end = job + 1 < jobs_.size() ? job_start_[job + 1] : UINT64_MAX;  // of `job`
  const size_t target = horizon_after(job, end);
  size_t wanted = 0;
  {
    std::lock_guard lock(mutex_);
    if (target <= horizon_) return;
    horizon_ = target;
    if (cancel_ || next_ >= jobs_.size() || active_helpers_ >= wanted_helpers_) return;
    // Helpers that stopped at an old horizon are asked for again once there is a good stretch
    // of work (a quarter of the lookahead), not for every frame the consumer reads.
    const auto start = [&](size_t j) { return job_start_[std::min(j, jobs_.size() - 1)]; };
    if (start(target) - start(started_at_) < lookahead_ / 4) return;
    started_at_ = target;
    wanted = wanted_helpers_ - active_helpers_;
  }
  auto helpers = std::make_unique<Helpers>(wanted, [this] { worker(); });
  std::lock_guard lock(mutex_);  // two threads may wait at once
  helpers_.push_back(std::move(helpers));
}

void StreamingDecode::wait(size_t k, uint64_t bytes) {
  const ArrayData& data = out_.at(k);
  if (data.is_view) return;
  const ArrayInfo& info = *data.info;
  const bool whole = info.dtype == DType::String;
  bytes = whole ? info.decoded_length : std::min(bytes, info.decoded_length);
  const size_t needed = bytes == 0 ? 0 : static_cast<size_t>((bytes - 1) / info.chunk + 1);
  if (needed > 0) raise_horizon(job_of_[k][needed - 1]);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (error_) std::rethrow_exception(error_);
      if (ready_frames_[k] >= needed) break;
    }
    // Help rather than sleep; when no frame is left to take, sleep until one finishes.
    if (take_and_run()) continue;
    std::unique_lock lock(mutex_);
    progress_.wait(lock, [&] { return error_ || ready_frames_[k] >= needed; });
  }
  if (whole) check_strings(k);
}

void StreamingDecode::wait_all() {
  for (size_t k = 0; k < out_.size(); ++k) wait(k, UINT64_MAX);
}

size_t StreamingDecode::frames_decoded() {
  std::lock_guard lock(mutex_);
  return jobs_done_;
}

size_t StreamingDecode::release(size_t k, uint64_t bytes) {
  const ArrayData& data = out_.at(k);
  if (data.is_view || data.info->dtype == DType::String) return 0;
  const ArrayInfo& info = *data.info;
  std::lock_guard lock(mutex_);
  // Only frames already decoded: a helper may be writing the next one.
  const uint64_t ready = ready_frames_[k] == info.frames.size()
                             ? info.decoded_length
                             : static_cast<uint64_t>(ready_frames_[k]) * info.chunk;
  return blocks_[k]->discard_front(static_cast<size_t>(std::min(bytes, ready)));
}

void StreamingDecode::check_strings(size_t k) {
  {
    std::lock_guard lock(mutex_);
    if (strings_checked_[k]) return;
  }
  check_string_array(out_[k].bytes, out_[k].info->element_count(),
                     describe_array(indices_[k], *out_[k].info));
  std::lock_guard lock(mutex_);
  strings_checked_[k] = true;
}

}  // namespace amber
