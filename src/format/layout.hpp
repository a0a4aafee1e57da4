// The fixed binary header and footer of an .amber file (docs/format.md §1.1-1.2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace amber {

/// The version this build writes. It reads majors kOldestFormatMajor..kFormatMajor (major 1
/// only at minor 0) and any minor of them, checking the fields of minors up to kFormatMinor.
inline constexpr uint16_t kFormatMajor = 2;
inline constexpr uint16_t kFormatMinor = 1;
inline constexpr uint16_t kOldestFormatMajor = 1;
/// Header flag of major 2: the manifest region holds one zstd frame of the manifest text.
inline constexpr uint32_t kFlagManifestZstd = 1;
inline constexpr size_t kHeaderSize = 64;
inline constexpr size_t kFooterSize = 64;
inline constexpr size_t kAlignment = 64;
inline constexpr std::array<uint8_t, 8> kHeaderMagic = {0x89, 'A',  'M',  'B',
                                                        '\r', '\n', 0x1A, '\n'};
inline constexpr std::array<uint8_t, 8> kFooterMagic = {0x89, 'A', 'M', 'B', 'E', 'N', 'D', '\n'};

using Digest = std::array<uint8_t, 32>;

/// The header's fields, as decoded (validated by parse_header).
struct Header {
  uint16_t format_major = kFormatMajor;
  uint16_t format_minor = kFormatMinor;
  uint32_t flags = 0;
  /// Stored bytes of the manifest region (compressed, when manifest_compressed()).
  uint64_t manifest_length = 0;
  uint64_t data_offset = 0;
  uint64_t data_length = 0;
  /// XXH3-64 of the stored manifest bytes; a field of format 2.1 and later only.
  uint64_t manifest_xxh3 = 0;
  /// data_offset + data_length: where the digested content ends.
  uint64_t content_end() const { return data_offset + data_length; }
  bool manifest_compressed() const { return (flags & kFlagManifestZstd) != 0; }
  /// Whether the header carries manifest_xxh3 (format 2.1 on): older files have zeros there.
  bool has_manifest_checksum() const { return format_major >= 2 && format_minor >= 1; }
};

/// The footer's fields, as decoded.
struct Footer {
  uint64_t signature_length = 0;
  Digest content_digest{};
};

/// Encodes a header, checksum included.
std::array<uint8_t, kHeaderSize> encode_header(const Header& header);
/// Encodes a footer, checksum included.
std::array<uint8_t, kFooterSize> encode_footer(const Footer& footer);

/// Decodes and checks the header against the whole file's bytes (magic, version, checksum,
/// field rules, the file's size). Throws Error.
Header parse_header(std::span<const uint8_t> file, uint64_t max_manifest_bytes);
/// Decodes and checks the footer at the end of the file against the header. Throws Error.
Footer parse_footer(std::span<const uint8_t> file, const Header& header,
                    uint64_t max_signature_bytes);

}  // namespace amber
