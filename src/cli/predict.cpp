// `amber predict`: runs a model natively over a CSV, JSON lines or .npy table, batch by batch.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include "cli/byte_source.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/progress.hpp"
#include "cli/table.hpp"
#include "cli/table_output.hpp"
#include "cli/text.hpp"
#include "format/atomic_file.hpp"
#include "format/error.hpp"
#include "runtime/model.hpp"

namespace amber::cli {
namespace {

/// Cells (rows x columns) per batch: bounds memory for very wide inputs.
constexpr size_t kMaxBatchCells = size_t{1} << 22;
const std::vector<std::string> kFormats = {"csv", "jsonl", "npy"};

/// A usage mistake found after parsing (a format that cannot be guessed, a missing method).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string format_of(const std::string& path, const std::string& given, const char* option,
                      const std::string& fallback) {
  if (!given.empty()) return given;
  if (path.empty() || path == "-") {
    if (!fallback.empty()) return fallback;
    throw UsageError(std::string("standard input needs ") + option);
  }
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".csv") return "csv";
  if (ext == ".jsonl" || ext == ".ndjson") return "jsonl";
  if (ext == ".npy") return "npy";
  if (!fallback.empty()) return fallback;
  throw UsageError(path + ": unknown extension \"" + ext + "\": name the format with " + option +
                   " (csv, jsonl or npy)");
}

std::unique_ptr<TableReader> open_reader(const PredictOptions& o, const InputSchema& schema) {
  const std::string format = format_of(o.input, o.input_format, "--input-format", "");
  auto source = ByteSource::open(o.input);
  if (format == "csv") return open_csv_reader(std::move(source), schema);
  if (format == "jsonl") return open_jsonl_reader(std::move(source), schema);
  return open_npy_reader(std::move(source), schema);
}

std::unique_ptr<TableWriter> open_writer(const std::string& format, int fd, const std::string& name,
                                         const OutputSpec& spec) {
  if (format == "csv") return open_csv_writer(fd, name, spec);
  if (format == "jsonl") return open_jsonl_writer(fd, name, spec);
  return open_npy_writer(fd, name, spec);
}

rt::Model open_model(const PredictOptions& o) {
  try {
    return rt::Model::open(o.model, o.limits);
  } catch (const Error& error) {
    const std::string what = error.what();
    if (what.starts_with(o.model + ": ")) throw;
    throw Error(error.kind(), o.model + ": " + what);
  }
}

rt::Method method_of(const rt::Model& model, const PredictOptions& o) {
  const rt::Method method = *rt::parse_method(o.method);
  if (model.has(method)) return method;
  std::string offered;
  for (auto m : model.methods())
    offered += (offered.empty() ? "" : ", ") + std::string(rt::method_name(m));
  throw UsageError(o.model + ": the model has no method " + o.method + " (it offers " + offered +
                   ")");
}

/// Runs one batch. When the runtime rejects it, runs its rows one by one to name the first row
/// it rejects: the error then says where in the input the bad value is.
void run_batch(const rt::Model& model, rt::Method method, Batch& batch, const TableReader& reader,
               double* out, unsigned threads) {
  const rt::Frame frame = batch.frame(0, batch.rows());
  try {
    model.run(method, frame, out, threads);
    return;
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::InvalidArgument) throw;
    rt::Scratch scratch;
    for (size_t r = 0; r < batch.rows(); ++r) {
      try {
        model.run(method, batch.frame(r, r + 1), out, scratch);
      } catch (const Error& row_error) {
        throw InputError(reader.location(batch.where(r)) + ": " + row_error.what());
      }
    }
    throw InputError(reader.location(batch.where(0)) + " (a batch from here): " + error.what());
  }
}

struct Run {
  const rt::Model& model;
  rt::Method method;
  TableReader& reader;
  const InputSchema& schema;
  const OutputSpec& spec;
};

void predict_all(const Run& run, TableWriter& writer, const PredictOptions& o) {
  const size_t wide = std::max<size_t>({1, run.schema.size(), run.spec.width()});
  const size_t batch_rows = std::clamp<size_t>(kMaxBatchCells / wide, 1, o.batch_rows);
  Progress progress(run.reader.size(), !o.no_progress && stderr_is_terminal());
  Batch batch(run.schema);
  std::vector<double> out;
  uint64_t rows = 0;
  while (run.reader.next(batch, batch_rows)) {
    out.resize(batch.rows() * run.spec.width());
    run_batch(run.model, run.method, batch, run.reader, out.data(), o.threads);
    writer.write(out.data(), batch.rows());
    rows += batch.rows();
    progress.update(run.reader.consumed(), rows);
    batch.clear();
  }
  writer.finish();
  progress.finish();
}

int predict(const PredictOptions& o) {
  const std::string out_format = format_of(o.output, o.output_format, "--output-format", "csv");
  const bool to_stdout = o.output.empty() || o.output == "-";
  if (to_stdout && out_format == "npy") {
    throw UsageError(".npy output needs a file (-o FILE.npy): its header holds the row count");
  }
  const rt::Model model = open_model(o);
  const rt::Method method = method_of(model, o);
  const InputSchema schema = InputSchema::of(model);
  auto reader = open_reader(o, schema);
  const OutputSpec spec = OutputSpec::of(model, method);
  const Run run{model, method, *reader, schema, spec};
  if (to_stdout) {
    auto writer = open_writer(out_format, STDOUT_FILENO, "standard output", spec);
    predict_all(run, *writer, o);
  } else {
    write_atomically(o.output, [&](int fd) {
      auto writer = open_writer(out_format, fd, o.output, spec);
      predict_all(run, *writer, o);
    });
  }
  return kExitOk;
}

void report(std::string_view message) {
  std::cerr << "amber predict: " << terminal_safe(message) << '\n';
}

}  // namespace

CLI::App* add_predict_command(CLI::App& app, PredictOptions& options) {
  CLI::App* command = app.add_subcommand(
      "predict", "Run a model natively on a table (CSV, JSON lines or .npy) and write its output");
  command->add_option("MODEL", options.model, "The .amber file")->required();
  command->add_option("INPUT", options.input, "The input table, or - for standard input")
      ->required();
  command->add_option("-o,--output", options.output,
                      "Where to write (.csv, .jsonl or .npy); default: CSV on standard output");
  command->add_option("--method", options.method, "The scikit-learn method to run")
      ->check(CLI::IsMember({"predict", "predict_proba", "predict_log_proba", "decision_function",
                             "transform", "score_samples"}))
      ->capture_default_str();
  command
      ->add_option("--input-format", options.input_format,
                   "csv, jsonl or npy (default: by extension)")
      ->check(CLI::IsMember(kFormats));
  command
      ->add_option("--output-format", options.output_format,
                   "csv, jsonl or npy (default: by extension)")
      ->check(CLI::IsMember(kFormats));
  command->add_option("--threads", options.threads, "Threads to predict with (0: all cores)")
      ->check(CLI::Range(0u, 1024u))
      ->capture_default_str();
  command->add_option("--batch-rows", options.batch_rows, "Rows per runtime call")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20))
      ->capture_default_str();
  command->add_flag("--no-progress", options.no_progress,
                    "Never draw the progress line (it shows only on a terminal, for long runs)");
  add_limit_options(*command, options.limits);
  return command;
}

int run_predict(const PredictOptions& options) {
  try {
    return predict(options);
  } catch (const UsageError& error) {
    report(error.what());
    return kExitUsage;
  } catch (const InputError& error) {
    report(error.what());
    return kExitInput;
  } catch (const Error& error) {
    report(error.what());
    return exit_code_for(error.kind());
  } catch (const std::bad_alloc&) {
    report("out of memory");
  } catch (const std::exception& error) {
    report(std::string("internal error: ") + error.what());
  }
  return kExitInternal;
}

}  // namespace amber::cli
