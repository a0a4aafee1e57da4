// Format 2.0's compressed manifest (docs/format.md §2.1): what the writer chooses, what the
// reader accepts, and every way a hostile manifest frame is refused before it is parsed.
#include <gtest/gtest.h>

#include <string>

#include "format/codec.hpp"
#include "format/layout.hpp"
#include "format/reader.hpp"
#include "format/writer.hpp"
#include "test_files.hpp"

namespace {

using amber::ErrorKind;
using amber_test::Bytes;
using amber_test::OpenThrows;

// A graph long and repetitive enough that its compression saves many 64-byte blocks, as the
// per-tree parameters of a boosting model do.
std::string repetitive_graph() {
  std::string graph = "[";
  for (int i = 0; i < 200; ++i) {
    graph += (i ? "," : "");
    graph += R"({"kind":"object","name":"sklearn.tree:DecisionTreeRegressor","n":)" +
             std::to_string(i) + "}";
  }
  return graph + "]";
}

Bytes write_with(int manifest_level, const std::string& graph) {
  amber::WriteOptions options;
  options.manifest_level = manifest_level;
  amber::Writer writer(options);
  const Bytes beta = amber_test::beta_bytes();
  amber::ArrayInput b;
  b.name = "beta";
  b.dtype = amber::DType::Float64;
  b.shape = {64};
  b.bytes = beta;
  writer.add_array(b);
  writer.set_graph_json(graph);
  writer.set_metadata_json(R"({"m":"x"})");
  return writer.to_bytes();
}

Bytes decoded(const amber::Reader& reader, size_t index) {
  const amber::ArrayData data = reader.array(index, true);
  return Bytes(data.bytes.begin(), data.bytes.end());
}

Bytes frame_of(std::string_view text) {
  return amber::zstd_compress_frame({reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                                    3);
}

// small_valid_file() (text manifest) rebuilt with `stored` as a flagged manifest region.
Bytes with_stored_manifest(const Bytes& stored, uint16_t major = 2) {
  amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
  parts.header.format_major = major;
  parts.header.flags = amber::kFlagManifestZstd;
  parts.manifest.assign(stored.begin(), stored.end());
  return amber_test::assemble(parts);
}

std::string small_manifest_text() {
  return std::string(amber_test::open_bytes(amber_test::small_valid_file()).manifest_json());
}

TEST(CompressedManifest, WriterCompressesWhenTheFileGetsSmaller) {
  const Bytes text = write_with(0, repetitive_graph());
  const Bytes zstd = write_with(7, repetitive_graph());
  const amber::Reader plain = amber_test::open_bytes(text);
  const amber::Reader packed = amber_test::open_bytes(zstd);
  EXPECT_FALSE(plain.header().manifest_compressed());
  EXPECT_TRUE(packed.header().manifest_compressed());
  EXPECT_EQ(packed.header().format_major, 2);
  EXPECT_LT(zstd.size() * 4, text.size());
  // The reader hands out the same manifest text either way, and the arrays are unchanged.
  EXPECT_EQ(packed.manifest_json(), plain.manifest_json());
  EXPECT_EQ(packed.arrays()[0].length, plain.arrays()[0].length);
  EXPECT_EQ(decoded(packed, 0), amber_test::beta_bytes());
  EXPECT_NO_THROW(packed.verify());
  EXPECT_FALSE(amber_test::full_read_error(zstd).has_value());
}

TEST(CompressedManifest, SameInputsGiveTheSameBytes) {
  EXPECT_EQ(write_with(19, repetitive_graph()), write_with(19, repetitive_graph()));
}

TEST(CompressedManifest, ManifestThatSavesNoBlockStaysText) {
  // {"arrays":[],"graph":null,"metadata":{}} ends in the header's second 64-byte block either way.
  amber::WriteOptions options;
  options.manifest_level = 19;
  const Bytes file = amber::Writer(options).to_bytes();
  EXPECT_FALSE(amber_test::open_bytes(file).header().manifest_compressed());
  EXPECT_EQ(file[12], 0);
}

TEST(CompressedManifest, WriterRefusesLevelsOutsideZeroToNineteen) {
  for (int level : {-1, 20}) {
    amber::WriteOptions options;
    options.manifest_level = level;
    EXPECT_TRUE(amber_test::ThrowsKind([&] { amber::Writer writer(options); },
                                       ErrorKind::InvalidArgument, "manifest"))
        << level;
  }
}

TEST(CompressedManifest, MajorOneFilesStillRead) {
  amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
  parts.header.format_major = 1;
  const amber::Reader reader = amber_test::open_bytes(amber_test::assemble(parts));
  EXPECT_EQ(reader.header().format_major, 1);
  EXPECT_EQ(decoded(reader, 0), amber_test::alpha_bytes());
}

TEST(CompressedManifest, HandBuiltFrameReads) {
  const amber::Reader reader =
      amber_test::open_bytes(with_stored_manifest(frame_of(small_manifest_text())));
  EXPECT_TRUE(reader.header().manifest_compressed());
  EXPECT_EQ(reader.manifest_json(), small_manifest_text());
  EXPECT_EQ(decoded(reader, 1), amber_test::beta_bytes());
}

TEST(CompressedManifest, FlagIsCorruptInMajorOne) {
  EXPECT_TRUE(OpenThrows(with_stored_manifest(frame_of(small_manifest_text()), 1),
                         ErrorKind::Corrupt, "header"));
}

TEST(CompressedManifest, TextUnderTheFlagIsCorrupt) {
  const std::string text = small_manifest_text();
  EXPECT_TRUE(OpenThrows(with_stored_manifest(Bytes(text.begin(), text.end())), ErrorKind::Corrupt,
                         "manifest"));
}

TEST(CompressedManifest, FrameWithoutDeclaredSizeIsCorrupt) {
  const std::string text = small_manifest_text();
  const Bytes frame = amber_test::raw_block_frame(Bytes(text.begin(), text.end()), std::nullopt);
  EXPECT_TRUE(OpenThrows(with_stored_manifest(frame), ErrorKind::Corrupt, "manifest"));
}

TEST(CompressedManifest, FrameThatDecodesToLessThanDeclaredIsCorrupt) {
  const std::string text = small_manifest_text();
  const Bytes frame = amber_test::raw_block_frame(Bytes(text.begin(), text.end()), text.size() + 1);
  EXPECT_TRUE(OpenThrows(with_stored_manifest(frame), ErrorKind::Corrupt, "manifest"));
}

TEST(CompressedManifest, EmptyFrameIsCorrupt) {
  EXPECT_TRUE(OpenThrows(with_stored_manifest(amber_test::raw_block_frame({}, 0)),
                         ErrorKind::Corrupt, "manifest"));
}

TEST(CompressedManifest, TwoFramesAreCorrupt) {
  Bytes two = frame_of(small_manifest_text());
  const Bytes second = frame_of("{}");
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_TRUE(OpenThrows(with_stored_manifest(two), ErrorKind::Corrupt, "manifest"));
}

TEST(CompressedManifest, DeclaredSizeOverTheCapIsRefusedBeforeDecoding) {
  // A 1 TiB claim in a frame of a few bytes: refused by the cap, nothing allocated.
  const Bytes bomb = amber_test::raw_block_frame(Bytes{'{', '}'}, uint64_t{1} << 40);
  EXPECT_TRUE(OpenThrows(with_stored_manifest(bomb), ErrorKind::LimitExceeded, "manifest"));

  const std::string text = small_manifest_text();
  amber::Limits limits;
  limits.max_manifest_bytes = text.size() - 1;
  const Bytes file = with_stored_manifest(frame_of(text));
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "manifest", limits));
  limits.max_manifest_bytes = text.size();
  EXPECT_NO_THROW(amber_test::open_bytes(file, limits));
}

TEST(CompressedManifest, DecodedTextGetsTheManifestRules) {
  EXPECT_TRUE(OpenThrows(with_stored_manifest(frame_of(R"({"arrays":[],"graph":null})")),
                         ErrorKind::InvalidManifest, "metadata"));
  EXPECT_TRUE(OpenThrows(with_stored_manifest(frame_of("{\"a\":\xff}")), ErrorKind::InvalidManifest,
                         "manifest"));
}

TEST(CompressedManifest, EveryTruncationIsRefused) {
  const Bytes file = write_with(7, repetitive_graph());
  for (size_t n = 0; n < file.size(); n += 7) {
    const Bytes cut(file.begin(), file.begin() + static_cast<ptrdiff_t>(n));
    EXPECT_TRUE(amber_test::full_read_error(cut).has_value()) << n;
  }
}

TEST(CompressedManifest, EveryFlippedManifestByteIsFound) {
  // The content digest covers the stored frame: a full read (open, arrays, verify) refuses
  // every flipped byte. With the digest recomputed to match, open() must still only ever
  // refuse or accept the file: no crash and no read out of bounds while decoding the frame.
  const Bytes file = write_with(7, repetitive_graph());
  const uint64_t stored = amber_test::load_le64(&file[16]);
  for (size_t at = amber::kHeaderSize; at < amber::kHeaderSize + stored; ++at) {
    Bytes bad = file;
    bad[at] ^= 0x10;
    EXPECT_TRUE(amber_test::full_read_error(bad).has_value()) << "byte " << at;
    amber_test::redigest(bad);
    try {
      amber_test::open_bytes(bad);
    } catch (const amber::Error&) {
    }
  }
}

}  // namespace
