// StreamingDecode: a shared counter over frames sorted by relative position, a mutex and a
// condition variable for progress, the first error kept and rethrown to every waiter.
#include "format/streaming_decode.hpp"

#include <algorithm>

#include "format/error.hpp"
#include "format/manifest.hpp"
#include "format/parallel.hpp"

namespace amber {

StreamingDecode::StreamingDecode(const Reader& reader, std::vector<size_t> indices,
                                 bool check_checksum, unsigned threads)
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
  if (threads == 0) threads = std::max(1u, hardware_threads() - 1);
  const size_t helpers = std::min<size_t>(threads, jobs_.size());
  // A frame no helper takes is decoded by the thread that waits for it.
  if (helpers > 0) helpers_ = std::make_unique<Helpers>(helpers, [this] { worker(); });
}

StreamingDecode::~StreamingDecode() {
  cancel_ = true;
  if (helpers_) helpers_->join();
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
  if (cancel_) return false;
  const size_t j = next_++;
  if (j >= jobs_.size()) return false;
  run_job(j);
  return true;
}

void StreamingDecode::worker() {
  while (take_and_run()) {
  }
}

void StreamingDecode::wait(size_t k, uint64_t bytes) {
  const ArrayData& data = out_.at(k);
  if (data.is_view) return;
  const ArrayInfo& info = *data.info;
  const bool whole = info.dtype == DType::String;
  bytes = whole ? info.decoded_length : std::min(bytes, info.decoded_length);
  const size_t needed = bytes == 0 ? 0 : static_cast<size_t>((bytes - 1) / info.chunk + 1);
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
