// Byte-shuffle and single-frame zstd coding with exact-size checks on decode.
#include "format/codec.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <memory>

#include "format/error.hpp"
#include "format/per_thread.hpp"

namespace amber {
namespace {

template <size_t K>
void shuffle_fixed(const uint8_t* src, uint8_t* dst, size_t m) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t b = 0; b < K; ++b) dst[b * m + i] = src[i * K + b];
  }
}

template <size_t K>
void unshuffle_fixed(const uint8_t* src, uint8_t* dst, size_t m) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t b = 0; b < K; ++b) dst[i * K + b] = src[b * m + i];
  }
}

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One set per thread: contexts are not thread-safe and are costly to create. A compression
// context keeps the tables of the strongest level it ran (tens of MiB at level 19), so helper
// threads, which outlive the work, drop it after each task (release_thread_codec_memory).
struct ThreadCodec {
  std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx;
  std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx;
  std::vector<uint8_t> scratch;
};

ZSTD_CCtx* thread_cctx() {
  auto& cctx = per_thread<ThreadCodec>().cctx;
  if (!cctx) cctx.reset(ZSTD_createCCtx());
  if (!cctx) throw std::bad_alloc();
  return cctx.get();
}

ZSTD_DCtx* thread_dctx() {
  auto& dctx = per_thread<ThreadCodec>().dctx;
  if (!dctx) dctx.reset(ZSTD_createDCtx());
  if (!dctx) throw std::bad_alloc();
  return dctx.get();
}

}  // namespace

std::span<uint8_t> thread_scratch(size_t size) {
  std::vector<uint8_t>& scratch = per_thread<ThreadCodec>().scratch;
  if (scratch.size() < size) scratch.resize(size);
  return {scratch.data(), size};
}

void release_thread_codec_memory() {
  ThreadCodec& codec = per_thread<ThreadCodec>();
  codec.cctx.reset();
  std::vector<uint8_t>().swap(codec.scratch);
}

void shuffle_bytes(std::span<const uint8_t> src, std::span<uint8_t> dst, size_t k) {
  const size_t m = src.size() / k;
  switch (k) {
    case 2:
      return shuffle_fixed<2>(src.data(), dst.data(), m);
    case 4:
      return shuffle_fixed<4>(src.data(), dst.data(), m);
    case 8:
      return shuffle_fixed<8>(src.data(), dst.data(), m);
    case 16:
      return shuffle_fixed<16>(src.data(), dst.data(), m);
    default:
      for (size_t i = 0; i < m; ++i) {
        for (size_t b = 0; b < k; ++b) dst[b * m + i] = src[i * k + b];
      }
  }
}

void unshuffle_bytes(std::span<const uint8_t> src, std::span<uint8_t> dst, size_t k) {
  const size_t m = src.size() / k;
  switch (k) {
    case 2:
      return unshuffle_fixed<2>(src.data(), dst.data(), m);
    case 4:
      return unshuffle_fixed<4>(src.data(), dst.data(), m);
    case 8:
      return unshuffle_fixed<8>(src.data(), dst.data(), m);
    case 16:
      return unshuffle_fixed<16>(src.data(), dst.data(), m);
    default:
      for (size_t i = 0; i < m; ++i) {
        for (size_t b = 0; b < k; ++b) dst[i * k + b] = src[b * m + i];
      }
  }
}

std::vector<uint8_t> zstd_compress_frame(std::span<const uint8_t> src, int level) {
  std::vector<uint8_t> out(ZSTD_compressBound(src.size()));
  const size_t n =
      ZSTD_compressCCtx(thread_cctx(), out.data(), out.size(), src.data(), src.size(), level);
  if (ZSTD_isError(n)) {
    throw Error(ErrorKind::InvalidArgument,
                std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  }
  out.resize(n);
  return out;
}

uint64_t zstd_declared_size(std::span<const uint8_t> frame, const std::string& where) {
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) fail(ErrorKind::Corrupt, where, "is not a zstd frame");
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN) {
    fail(ErrorKind::Corrupt, where, "is a zstd frame that does not declare its decoded size");
  }
  return declared;
}

void zstd_decompress_frame(std::span<const uint8_t> frame, std::span<uint8_t> dst,
                           const std::string& where) {
  const size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  if (ZSTD_isError(frame_size) || frame_size != frame.size()) {
    fail(ErrorKind::Corrupt, where, "is not exactly one zstd frame");
  }
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR ||
      (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != dst.size())) {
    fail(ErrorKind::Corrupt, where,
         "frame header claims " + std::to_string(declared) + " bytes, expected " +
             std::to_string(dst.size()));
  }
  const size_t n =
      ZSTD_decompressDCtx(thread_dctx(), dst.data(), dst.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) {
    const bool too_big = ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall;
    fail(ErrorKind::Corrupt, where,
         too_big ? "decodes to more than the declared " + std::to_string(dst.size()) + " bytes"
                 : std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  if (n != dst.size()) {
    fail(ErrorKind::Corrupt, where,
         "decodes to " + std::to_string(n) + " bytes, not the declared " +
             std::to_string(dst.size()));
  }
}

}  // namespace amber
