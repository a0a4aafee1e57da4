// libFuzzer target: the readers of `amber predict`'s input tables (CSV, JSON lines, .npy) on
// hostile bytes. Anything but amber::cli::InputError or amber::Error is a finding, as are a
// crash, a sanitizer report, a hang and a batch that breaks its own shape.
//
// Input: byte 0 picks the format (bits 0-1: csv, jsonl, npy) and the model's schema (bit 2:
// columns by name or by position; bit 3: whether column "city" holds strings); the rest is the
// file, handed to the reader through a memfd as `amber predict` would read a file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/byte_source.hpp"
#include "cli/table.hpp"
#include "format/error.hpp"
#include "runtime/frame.hpp"

namespace {

using amber::cli::Batch;
using amber::cli::InputSchema;
using amber::cli::TableReader;

constexpr size_t kBatchRows = 16;  // small, so that inputs span several batches
volatile size_t sink = 0;          // keeps the reads of every value

InputSchema schema_of(uint8_t choice) {
  InputSchema schema;
  schema.is_string = {0, static_cast<uint8_t>((choice & 8) ? 1 : 0), 0};
  if (choice & 4) schema.names = {"age", "city", "income"};
  return schema;
}

/// A file holding `bytes`, by path: ByteSource reads paths (or standard input).
class MemFile {
 public:
  explicit MemFile(const uint8_t* data, size_t size) : fd_(::memfd_create("table", MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::write(fd_, data + done, size - done);
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

std::unique_ptr<TableReader> open_reader(uint8_t choice, const std::string& path,
                                         const InputSchema& schema) {
  auto source = amber::cli::ByteSource::open(path);
  switch (choice & 3) {
    case 0:
      return amber::cli::open_csv_reader(std::move(source), schema);
    case 1:
      return amber::cli::open_jsonl_reader(std::move(source), schema);
    default:
      return amber::cli::open_npy_reader(std::move(source), schema);
  }
}

/// Reads every batch and touches every value of it, as predict's frame does.
void read_all(TableReader& reader, const InputSchema& schema) {
  Batch batch(schema);
  for (;;) {
    batch.clear();
    if (!reader.next(batch, kBatchRows)) return;
    if (batch.rows() > kBatchRows) std::abort();  // more rows than asked for
    if (batch.rows() == 0) continue;
    const amber::rt::Frame frame = batch.frame(0, batch.rows());
    if (frame.columns.size() != schema.size() || frame.rows != batch.rows()) std::abort();
    size_t touched = 0;  // every view is read, so that ASan sees one that points astray
    for (size_t j = 0; j < schema.size(); ++j) {
      const amber::rt::Column& column = frame.columns[j];
      if (column.is_string() != (schema.is_string[j] != 0)) std::abort();
      for (size_t r = 0; r < frame.rows; ++r) {
        if (!column.is_string()) {
          touched += column.number(r) == 0.0;
        } else if (!column.is_missing(r)) {
          for (char c : column.strings[r]) touched += c == 'x';
        }
      }
    }
    sink = sink + touched;
    (void)reader.location(batch.where(batch.rows() - 1));
    (void)reader.consumed();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t choice = data[0];
  const InputSchema schema = schema_of(choice);
  const MemFile file(data + 1, size - 1);
  try {
    auto reader = open_reader(choice, file.path(), schema);
    read_all(*reader, schema);
  } catch (const amber::cli::InputError&) {
  } catch (const amber::Error&) {
  }
  return 0;
}
