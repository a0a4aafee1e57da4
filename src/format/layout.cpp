// Encoding and strict decoding of the fixed 64-byte header and footer.
#include "format/layout.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/safe_math.hpp"

namespace amber {
namespace {

template <typename T>
void put(uint8_t* at, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) at[i] = static_cast<uint8_t>(value >> (8 * i));
}

template <typename T>
T get(const uint8_t* at) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(at[i]) << (8 * i);
  return value;
}

bool all_zero(const uint8_t* at, size_t n) {
  return std::all_of(at, at + n, [](uint8_t b) { return b == 0; });
}

void put_checksum(uint8_t* block) { put<uint64_t>(block + 56, xxh3_64({block, 56})); }

bool checksum_ok(const uint8_t* block) { return get<uint64_t>(block + 56) == xxh3_64({block, 56}); }

std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

std::array<uint8_t, kHeaderSize> encode_header(const Header& header) {
  std::array<uint8_t, kHeaderSize> out{};
  std::copy(kHeaderMagic.begin(), kHeaderMagic.end(), out.begin());
  put<uint16_t>(&out[8], header.format_major);
  put<uint16_t>(&out[10], header.format_minor);
  put<uint32_t>(&out[12], header.flags);
  put<uint64_t>(&out[16], header.manifest_length);
  put<uint64_t>(&out[24], header.data_offset);
  put<uint64_t>(&out[32], header.data_length);
  if (header.has_manifest_checksum()) put<uint64_t>(&out[40], header.manifest_xxh3);
  put_checksum(out.data());
  return out;
}

std::array<uint8_t, kFooterSize> encode_footer(const Footer& footer) {
  std::array<uint8_t, kFooterSize> out{};
  std::copy(kFooterMagic.begin(), kFooterMagic.end(), out.begin());
  put<uint64_t>(&out[8], footer.signature_length);
  std::copy(footer.content_digest.begin(), footer.content_digest.end(), out.begin() + 16);
  put_checksum(out.data());
  return out;
}

Header parse_header(std::span<const uint8_t> file, uint64_t max_manifest_bytes) {
  constexpr std::string_view where = "header";
  if (file.size() < kHeaderSize + kFooterSize) {
    if (file.size() >= kHeaderMagic.size() &&
        !std::equal(kHeaderMagic.begin(), kHeaderMagic.end(), file.begin())) {
      fail(ErrorKind::NotAmber, where, "wrong magic bytes: not an amber file");
    }
    fail(ErrorKind::Truncated, "file",
         "only " + num(file.size()) + " bytes, an amber file has at least 128");
  }
  const uint8_t* h = file.data();
  if (!std::equal(kHeaderMagic.begin(), kHeaderMagic.end(), h)) {
    fail(ErrorKind::NotAmber, where, "wrong magic bytes: not an amber file");
  }
  Header header;
  header.format_major = get<uint16_t>(h + 8);
  header.format_minor = get<uint16_t>(h + 10);
  if (header.format_major < kOldestFormatMajor || header.format_major > kFormatMajor) {
    fail(ErrorKind::UnsupportedVersion, where,
         "format version " + num(header.format_major) + "." + num(header.format_minor) +
             " is not supported; this reader knows major versions " + num(kOldestFormatMajor) +
             " to " + num(kFormatMajor));
  }
  if (!checksum_ok(h)) fail(ErrorKind::Corrupt, where, "header checksum does not match");
  header.flags = get<uint32_t>(h + 12);
  const uint32_t known_flags = header.format_major >= 2 ? kFlagManifestZstd : 0;
  if ((header.flags & ~known_flags) != 0) {
    fail(ErrorKind::Corrupt, where,
         "unknown flags are set for major version " + num(header.format_major));
  }
  // Bytes this reader does not know are reserved: zero up to the minor it knows, and a later
  // minor's fields, which carry nothing it needs, are ignored (docs/format.md, the minor rule).
  const size_t reserved_at = header.has_manifest_checksum() ? 48 : 40;
  if (header.has_manifest_checksum()) header.manifest_xxh3 = get<uint64_t>(h + 40);
  if (header.format_minor <= kFormatMinor && !all_zero(h + reserved_at, 56 - reserved_at)) {
    fail(ErrorKind::Corrupt, where, "reserved bytes are not zero");
  }
  header.manifest_length = get<uint64_t>(h + 16);
  header.data_offset = get<uint64_t>(h + 24);
  header.data_length = get<uint64_t>(h + 32);
  if (header.manifest_length == 0) fail(ErrorKind::Corrupt, where, "manifest length is 0");
  if (header.manifest_length > max_manifest_bytes) {
    fail(ErrorKind::LimitExceeded, where,
         "manifest is " + num(header.manifest_length) + " bytes, over the cap of " +
             num(max_manifest_bytes) + " (Limits::max_manifest_bytes)");
  }
  const auto expected_data_offset = align64(kHeaderSize + header.manifest_length);
  if (!expected_data_offset || header.data_offset != *expected_data_offset) {
    fail(ErrorKind::Corrupt, where,
         "data offset " + num(header.data_offset) + " is not the manifest's end aligned to 64");
  }
  if (header.data_length % kAlignment != 0) {
    fail(ErrorKind::Corrupt, where,
         "data length " + num(header.data_length) + " is not a multiple of 64");
  }
  const auto content_end = checked_add(header.data_offset, header.data_length);
  const auto with_footer = content_end ? checked_add(*content_end, kFooterSize) : std::nullopt;
  if (!with_footer || *with_footer > file.size()) {
    fail(ErrorKind::Truncated, where,
         "declares " + (with_footer ? num(*with_footer) : std::string("over 2^64")) +
             " bytes of content and footer, the file has " + num(file.size()));
  }
  return header;
}

Footer parse_footer(std::span<const uint8_t> file, const Header& header,
                    uint64_t max_signature_bytes) {
  constexpr std::string_view where = "footer";
  const uint8_t* f = file.data() + file.size() - kFooterSize;
  if (!std::equal(kFooterMagic.begin(), kFooterMagic.end(), f)) {
    fail(ErrorKind::Truncated, where, "footer magic missing at the end of the file");
  }
  if (!checksum_ok(f)) fail(ErrorKind::Corrupt, where, "footer checksum does not match");
  if (!all_zero(f + 48, 8)) fail(ErrorKind::Corrupt, where, "reserved bytes are not zero");
  Footer footer;
  footer.signature_length = get<uint64_t>(f + 8);
  std::memcpy(footer.content_digest.data(), f + 16, footer.content_digest.size());
  if (footer.signature_length > max_signature_bytes) {
    fail(ErrorKind::LimitExceeded, where,
         "signature block is " + num(footer.signature_length) + " bytes, over the cap of " +
             num(max_signature_bytes) + " (Limits::max_signature_bytes)");
  }
  // Both terms are bounded by the file size already, so the sum cannot overflow.
  const uint64_t expected = header.content_end() + footer.signature_length + kFooterSize;
  if (expected != file.size()) {
    fail(expected > file.size() ? ErrorKind::Truncated : ErrorKind::Corrupt, where,
         "regions end at byte " + num(expected) + " but the file has " + num(file.size()) +
             " bytes");
  }
  return footer;
}

}  // namespace amber
