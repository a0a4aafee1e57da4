// Hostile files, layout level: header, footer, regions, truncation at every length, every bit.
#include <gtest/gtest.h>

#include <fstream>
#include <utility>

#include "format/layout.hpp"
#include "test_files.hpp"

namespace {

using amber::ErrorKind;
using amber_test::Bytes;
using amber_test::OpenThrows;

bool is_one_of(ErrorKind kind, std::initializer_list<ErrorKind> kinds) {
  for (ErrorKind k : kinds) {
    if (k == kind) return true;
  }
  return false;
}

/// small_valid_file() with its header fields edited; the header checksum recomputed.
Bytes with_header_field(size_t offset, uint64_t value) {
  Bytes file = amber_test::small_valid_file();
  amber_test::store_le64(&file[offset], value);
  amber_test::rehash_header(file);
  return file;
}

TEST(Malformed, SmallValidFileIsValid) {
  const Bytes file = amber_test::small_valid_file();
  EXPECT_FALSE(amber_test::full_read_error(file));
  amber::Reader reader = amber_test::open_bytes(file);
  ASSERT_EQ(reader.arrays().size(), 2u);
  EXPECT_EQ(reader.arrays()[1].codec, amber::Codec::Zstd);
  EXPECT_TRUE(reader.arrays()[1].shuffle);
}

TEST(Malformed, EmptyFileIsTruncated) {
  EXPECT_TRUE(OpenThrows({}, ErrorKind::Truncated));
  amber_test::TempDir dir;
  std::ofstream(dir.path() / "empty.amber").close();
  EXPECT_TRUE(amber_test::ThrowsKind([&] { amber::Reader::open(dir.path() / "empty.amber"); },
                                     ErrorKind::Truncated));
}

TEST(Malformed, MissingFileIsIo) {
  EXPECT_TRUE(amber_test::ThrowsKind([] { amber::Reader::open("/nonexistent/amber/x.amber"); },
                                     ErrorKind::Io, "/nonexistent/amber/x.amber"));
}

TEST(Malformed, EveryTruncationIsRefused) {
  const Bytes file = amber_test::small_valid_file();
  for (size_t len = 0; len < file.size(); ++len) {
    const Bytes cut(file.begin(), file.begin() + static_cast<ptrdiff_t>(len));
    try {
      amber_test::open_bytes(cut);
      ADD_FAILURE() << "a file truncated to " << len << " bytes was accepted";
    } catch (const amber::Error& e) {
      EXPECT_TRUE(
          is_one_of(e.kind(), {ErrorKind::Truncated, ErrorKind::Corrupt, ErrorKind::NotAmber}))
          << len << ": " << e.what();
    }
  }
}

// §1: "A reader MUST reject a file with bytes missing (Truncated)".
TEST(Malformed, EveryTruncationIsReportedAsTruncated) {
  const Bytes file = amber_test::small_valid_file();
  for (size_t len = 0; len < file.size(); ++len) {
    const Bytes cut(file.begin(), file.begin() + static_cast<ptrdiff_t>(len));
    EXPECT_TRUE(OpenThrows(cut, ErrorKind::Truncated)) << "cut at " << len;
  }
}

// §1.1: a short file that does not start with the magic is NotAmber, not a damaged amber file.
TEST(Malformed, ShortFileWithoutMagicIsNotAmber) {
  const std::string text = "this is a short text file, not an amber file at all\n";
  EXPECT_TRUE(OpenThrows({reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                         ErrorKind::NotAmber));
}

TEST(Malformed, EveryBitFlipIsDetected) {
  const Bytes file = amber_test::small_valid_file();
  const size_t footer = file.size() - amber::kFooterSize;
  const uint64_t manifest_length = amber_test::load_le64(&file[16]);
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    Bytes flipped = file;
    const size_t at = bit / 8;
    flipped[at] ^= static_cast<uint8_t>(1u << (bit % 8));
    const auto error = amber_test::full_read_error(flipped);
    if (!error) {
      ADD_FAILURE() << "flipping bit " << bit % 8 << " of byte " << at << " went unnoticed";
      continue;
    }
    const ErrorKind kind = error->kind();
    if (at < 8) {
      EXPECT_EQ(kind, ErrorKind::NotAmber) << at << ": " << error->what();
    } else if (at < 10) {
      EXPECT_EQ(kind, ErrorKind::UnsupportedVersion) << at << ": " << error->what();
    } else if (at < 64) {
      EXPECT_EQ(kind, ErrorKind::Corrupt) << at << ": " << error->what();
    } else if (at < 64 + manifest_length) {  // found at open, before the manifest is decoded
      EXPECT_EQ(kind, ErrorKind::ChecksumMismatch) << at << ": " << error->what();
    } else if (at >= footer + 8) {
      EXPECT_EQ(kind, ErrorKind::Corrupt) << at << ": " << error->what();
    } else if (at >= footer) {
      EXPECT_EQ(kind, ErrorKind::Truncated) << at << ": " << error->what();
    }
  }
}

TEST(Malformed, WrongMagicIsNotAmber) {
  Bytes file = amber_test::small_valid_file();
  file[1] = 'X';
  EXPECT_TRUE(OpenThrows(file, ErrorKind::NotAmber, "header"));
  Bytes png = amber_test::small_valid_file();
  const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::copy(kPng, kPng + 8, png.begin());
  EXPECT_TRUE(OpenThrows(png, ErrorKind::NotAmber));
}

TEST(Malformed, FutureMajorVersionIsUnsupported) {
  for (uint16_t major : {0, 3, 0xFFFF}) {
    amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
    parts.header.format_major = major;
    EXPECT_TRUE(OpenThrows(amber_test::assemble(parts), ErrorKind::UnsupportedVersion, "header"))
        << major;
  }
}

TEST(Malformed, VersionIsCheckedBeforeTheHeaderChecksum) {
  Bytes file = amber_test::small_valid_file();
  file[8] = 3;  // major 3, checksum not recomputed: a future major may change the header
  EXPECT_TRUE(OpenThrows(file, ErrorKind::UnsupportedVersion, "header"));
}

TEST(Malformed, HeaderChecksumMismatchIsCorrupt) {
  Bytes file = amber_test::small_valid_file();
  file[60] ^= 1;
  EXPECT_TRUE(OpenThrows(file, ErrorKind::Corrupt, "header"));
}

TEST(Malformed, UnknownFlagsOrNonZeroReservedAreCorrupt) {
  // Bit 0 of byte 12 is major 2's compressed-manifest flag (compressed_manifest_test.cpp).
  for (auto [at, value] :
       {std::pair<size_t, uint8_t>{12, 2}, {12, 0x80}, {15, 1}, {48, 1}, {55, 1}}) {
    Bytes file = amber_test::small_valid_file();
    file[at] = value;
    amber_test::rehash_header(file);
    EXPECT_TRUE(OpenThrows(file, ErrorKind::Corrupt, "header")) << "byte " << at;
  }
}

/// small_valid_file() as format 2.0 wrote it: no manifest checksum, bytes 40..56 reserved.
Bytes format_2_0_file() {
  amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
  parts.header.format_minor = 0;
  return amber_test::assemble(parts);
}

TEST(Malformed, Format20FilesReadWithoutAManifestChecksum) {
  const Bytes file = format_2_0_file();
  EXPECT_EQ(amber_test::load_le64(&file[40]), 0u);
  EXPECT_FALSE(amber_test::full_read_error(file));
  for (size_t at : {40, 47}) {
    Bytes reserved = file;
    reserved[at] = 1;
    amber_test::rehash_header(reserved);
    EXPECT_TRUE(OpenThrows(reserved, ErrorKind::Corrupt, "header")) << "byte " << at;
  }
}

TEST(Malformed, ChangedManifestChecksumIsAChecksumMismatch) {
  for (size_t at : {40, 47}) {
    Bytes file = amber_test::small_valid_file();
    file[at] ^= 1;
    amber_test::rehash_header(file);
    EXPECT_TRUE(OpenThrows(file, ErrorKind::ChecksumMismatch, "manifest")) << "byte " << at;
  }
}

// A later minor's header fields carry nothing this reader needs (docs/format.md, versions).
TEST(Malformed, ReservedBytesOfALaterMinorAreIgnored) {
  amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
  parts.header.format_minor = amber::kFormatMinor + 1;
  Bytes file = amber_test::assemble(parts);
  file[48] = 1;
  amber_test::rehash_header(file);
  amber_test::redigest(file);
  EXPECT_FALSE(amber_test::full_read_error(file));
}

TEST(Malformed, ZeroManifestLengthIsCorrupt) {
  EXPECT_TRUE(OpenThrows(with_header_field(16, 0), ErrorKind::Corrupt, "header"));
}

TEST(Malformed, TenGigabyteManifestIsOverTheCap) {
  Bytes file = amber_test::small_valid_file();
  const uint64_t length = 10'000'000'000;
  amber_test::store_le64(&file[16], length);
  amber_test::store_le64(&file[24], (64 + length + 63) / 64 * 64);
  amber_test::rehash_header(file);
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "manifest"));
}

TEST(Malformed, ManifestOverACustomCapIsLimitExceeded) {
  const Bytes file = amber_test::small_valid_file();
  amber::Limits limits;
  limits.max_manifest_bytes = amber_test::load_le64(&file[16]) - 1;
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "manifest", limits));
  limits.max_manifest_bytes += 1;
  EXPECT_NO_THROW(amber_test::open_bytes(file, limits));
}

TEST(Malformed, DataOffsetNotAfterTheManifestIsCorrupt) {
  const Bytes file = amber_test::small_valid_file();
  const uint64_t data_offset = amber_test::load_le64(&file[24]);
  for (uint64_t bad :
       {data_offset + 64, data_offset - 64, data_offset + 1, uint64_t{0}, ~uint64_t{0} - 63}) {
    EXPECT_TRUE(OpenThrows(with_header_field(24, bad), ErrorKind::Corrupt, "header")) << bad;
  }
}

TEST(Malformed, DataLengthNotAMultipleOf64IsCorrupt) {
  const Bytes file = amber_test::small_valid_file();
  const uint64_t data_length = amber_test::load_le64(&file[32]);
  EXPECT_TRUE(OpenThrows(with_header_field(32, data_length - 1), ErrorKind::Corrupt, "header"));
}

TEST(Malformed, DataLengthBeyondTheFileIsTruncated) {
  const Bytes file = amber_test::small_valid_file();
  const uint64_t data_length = amber_test::load_le64(&file[32]);
  for (uint64_t bad : {data_length + 64, uint64_t{1} << 40, ~uint64_t{0} - 63}) {
    EXPECT_TRUE(OpenThrows(with_header_field(32, bad), ErrorKind::Truncated)) << bad;
  }
}

TEST(Malformed, ShorterDataLengthLeavesExtraBytes) {
  const Bytes file = amber_test::small_valid_file();
  const uint64_t data_length = amber_test::load_le64(&file[32]);
  try {
    amber_test::open_bytes(with_header_field(32, data_length - 64));
    ADD_FAILURE() << "accepted";
  } catch (const amber::Error& e) {
    EXPECT_TRUE(is_one_of(e.kind(), {ErrorKind::Corrupt, ErrorKind::InvalidManifest})) << e.what();
  }
}

TEST(Malformed, FooterMagicMissingIsTruncated) {
  Bytes file = amber_test::small_valid_file();
  file[file.size() - 60] ^= 0x20;
  EXPECT_TRUE(OpenThrows(file, ErrorKind::Truncated, "footer"));
}

TEST(Malformed, FooterChecksumOrReservedIsCorrupt) {
  Bytes file = amber_test::small_valid_file();
  file[file.size() - 1] ^= 1;
  EXPECT_TRUE(OpenThrows(file, ErrorKind::Corrupt, "footer"));
  Bytes reserved = amber_test::small_valid_file();
  reserved[reserved.size() - 16] = 1;
  amber_test::rehash_footer(reserved);
  EXPECT_TRUE(OpenThrows(reserved, ErrorKind::Corrupt, "footer"));
}

TEST(Malformed, SignatureLengthOverTheCapIsLimitExceeded) {
  Bytes file = amber_test::small_valid_file();
  amber_test::store_le64(&file[file.size() - 56], (uint64_t{1} << 20) + 1);
  amber_test::rehash_footer(file);
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "footer"));
}

TEST(Malformed, SignatureLengthBeyondTheFileIsTruncated) {
  Bytes file = amber_test::small_valid_file();
  amber_test::store_le64(&file[file.size() - 56], 64);
  amber_test::rehash_footer(file);
  EXPECT_TRUE(OpenThrows(file, ErrorKind::Truncated, "footer"));
}

TEST(Malformed, CopyOfTheFooterAfterTheFooterIsCorrupt) {
  Bytes file = amber_test::small_valid_file();
  const Bytes footer(file.end() - 64, file.end());
  file.insert(file.end(), footer.begin(), footer.end());
  EXPECT_TRUE(OpenThrows(file, ErrorKind::Corrupt, "footer"));
}

TEST(Malformed, ExtraBytesAfterTheFooterAreRefused) {
  for (size_t extra : {1, 7, 63, 64, 65, 1000}) {
    Bytes file = amber_test::small_valid_file();
    file.resize(file.size() + extra, 0);
    try {
      amber_test::open_bytes(file);
      ADD_FAILURE() << extra << " extra bytes were accepted";
    } catch (const amber::Error& e) {
      EXPECT_TRUE(is_one_of(e.kind(), {ErrorKind::Corrupt, ErrorKind::Truncated})) << e.what();
    }
  }
}

TEST(Malformed, BytesBetweenContentAndFooterAreCorrupt) {
  for (size_t extra : {1, 64}) {
    Bytes file = amber_test::small_valid_file();
    file.insert(file.end() - 64, extra, 0);
    EXPECT_TRUE(OpenThrows(file, ErrorKind::Corrupt, "footer")) << extra;
  }
}

TEST(Malformed, BytesBetweenManifestAndDataAreCorrupt) {
  Bytes file = amber_test::small_valid_file();
  const uint64_t data_offset = amber_test::load_le64(&file[24]);
  file.insert(file.begin() + static_cast<ptrdiff_t>(data_offset), 64, 0);
  amber_test::store_le64(&file[24], data_offset + 64);
  amber_test::rehash_header(file);
  amber_test::redigest(file);
  EXPECT_TRUE(OpenThrows(file, ErrorKind::Corrupt, "header"));
}

TEST(Malformed, NonZeroManifestPaddingIsCorrupt) {
  amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
  if ((64 + parts.manifest.size()) % 64 == 0) parts.manifest += ' ';  // make room for padding
  Bytes file = amber_test::assemble(parts);
  ASSERT_FALSE(amber_test::full_read_error(file));
  file[64 + parts.manifest.size()] = ' ';  // whitespace a JSON parser would skip
  amber_test::redigest(file);
  EXPECT_TRUE(OpenThrows(file, ErrorKind::Corrupt, "padding"));
}

TEST(Malformed, ValidSignatureBlockKeepsTheDigest) {
  const Bytes plain = amber_test::small_valid_file();
  amber_test::FileParts parts = amber_test::split(plain);
  parts.signature = R"({"signatures":[{"algorithm":"ed25519","key_id":"00","signature":"AA=="}]})";
  const Bytes signed_file = amber_test::assemble(parts);
  ASSERT_FALSE(amber_test::full_read_error(signed_file));
  amber::Reader reader = amber_test::open_bytes(signed_file);
  EXPECT_EQ(reader.signature_json(), parts.signature);
  EXPECT_EQ(reader.footer().content_digest, amber_test::open_bytes(plain).footer().content_digest);
}

TEST(Malformed, BadSignatureBlocksAreRefused) {
  struct Bad {
    std::string text;
    ErrorKind kind;
  };
  const Bad cases[] = {
      {"{", ErrorKind::InvalidManifest},
      {"{\"signatures\":[],\"signatures\":[]}", ErrorKind::InvalidManifest},
      {"{\"signatures\":\"\xff\"}", ErrorKind::InvalidManifest},
      {"[1]", ErrorKind::InvalidManifest},
      {"{\"signatures\":" + std::string(1000, '[') + std::string(1000, ']') + "}",
       ErrorKind::LimitExceeded},
  };
  for (const auto& bad : cases) {
    amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
    parts.signature = bad.text;
    EXPECT_TRUE(OpenThrows(amber_test::assemble(parts), bad.kind, "signature block"))
        << bad.text.substr(0, 40);
  }
}

}  // namespace
