// Array codecs: byte-shuffle and chunked zstd frames (docs/format.md §3.4-3.5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace amber {

/// This thread's scratch buffer, at least `size` bytes, reused from call to call: a fresh block
/// per frame cost as much in page faults as the unshuffle itself.
std::span<uint8_t> thread_scratch(size_t size);
/// Frees this thread's compression context and scratch buffer (helper threads call it after
/// each task, so that a level-19 save leaves no tables behind on them).
void release_thread_codec_memory();

/// Byte-shuffles `src` (elements of `itemsize` bytes) into `dst` of the same size.
void shuffle_bytes(std::span<const uint8_t> src, std::span<uint8_t> dst, size_t itemsize);
/// Undoes shuffle_bytes.
void unshuffle_bytes(std::span<const uint8_t> src, std::span<uint8_t> dst, size_t itemsize);

/// Compresses `src` into exactly one zstd frame at `level`.
std::vector<uint8_t> zstd_compress_frame(std::span<const uint8_t> src, int level);

/// The decoded size `frame` declares in its header. Throws Error(Corrupt) when `frame` does not
/// start with a zstd frame header that declares one (`where` names the frame).
uint64_t zstd_declared_size(std::span<const uint8_t> frame, const std::string& where);

/// Decodes `frame`, which must be exactly one zstd frame, into exactly `dst.size()` bytes.
/// `where` names the frame in errors. Throws Error(Corrupt).
void zstd_decompress_frame(std::span<const uint8_t> frame, std::span<uint8_t> dst,
                           const std::string& where);

}  // namespace amber
