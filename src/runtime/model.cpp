// Model: compile the graph's root estimator, bind input columns, run in row blocks on threads.
#include "runtime/model.hpp"

#include <algorithm>
#include <unordered_map>

#include "format/error.hpp"
#include "format/parallel.hpp"
#include "format/per_thread.hpp"
#include "runtime/registry.hpp"

namespace amber::rt {
namespace {

// Blocks are large because tree ensembles walk them tree-major: every block streams all the
// trees' nodes through the cache once, so the larger the block, the fewer times that happens.
constexpr size_t kMaxRowsPerBlock = 4096;
// Fewer rows than this per thread are not worth a thread.
constexpr size_t kMinRowsPerBlock = 64;

/// Rows per block: up to kMaxRowsPerBlock, in a multiple of `threads` blocks of equal size so
/// that no thread is left with the tail alone.
size_t rows_per_block(size_t rows, unsigned threads) {
  // One block whatever the threads: a one-row call need not count the CPUs (a first count
  // reads the affinity mask and the cgroup's quota files).
  if (rows < 2 * kMinRowsPerBlock) return std::max<size_t>(1, rows);
  if (threads == 0) threads = amber::hardware_threads();
  size_t blocks = std::max<size_t>(1, std::min<size_t>(threads, rows / kMinRowsPerBlock));
  const size_t needed = (rows + kMaxRowsPerBlock - 1) / kMaxRowsPerBlock;
  if (needed > blocks) blocks = (needed + threads - 1) / threads * threads;
  return std::max<size_t>(1, (rows + blocks - 1) / blocks);
}

Frame slice(const Frame& in, size_t begin, size_t end) {
  Frame out;
  out.rows = end - begin;
  out.columns = in.columns;
  for (auto& c : out.columns) {
    if (c.numbers) c.numbers += begin * c.stride;
    if (c.strings) c.strings += begin;
    if (c.missing) c.missing += begin;
  }
  return out;
}

/// Per input column, what the compiled plan needs there.
std::vector<InputKind> kinds_of(const Stage& root, size_t n) {
  auto strings = root.string_inputs();
  auto used = root.used_inputs();
  strings.resize(n, 0);
  std::vector<InputKind> kinds(n, InputKind::Number);
  for (size_t j = 0; j < n; ++j) {
    if (strings[j]) kinds[j] = InputKind::String;
    if (j < used.size() && !used[j]) kinds[j] = InputKind::Any;
  }
  return kinds;
}

/// Up to a few names, quoted, for messages: "age", "city", ... (12)
std::string quoted_list(const std::vector<std::string>& names) {
  constexpr size_t kShown = 8;
  std::string out;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) {
    out += (i ? ", \"" : "\"") + names[i] + "\"";
  }
  if (names.size() > kShown) out += ", ... (" + std::to_string(names.size()) + ")";
  return out;
}

std::string columns_phrase(const char* what, const std::vector<std::string>& names) {
  return std::string(what) + (names.size() == 1 ? " column " : " columns ") + quoted_list(names);
}

/// The column label of model column `j` in messages.
std::string label(const std::vector<std::string>& names, size_t j) {
  return names.empty() ? "column " + std::to_string(j) : "column \"" + names[j] + "\"";
}

/// Kept across calls (and models): warm buffers are what makes repeated calls allocation-free.
Scratch& thread_scratch() { return amber::per_thread<Scratch>(); }

}  // namespace

Model Model::open(const std::filesystem::path& path, const amber::Limits& limits) {
  return compile(std::make_shared<const amber::Reader>(amber::Reader::open(path, limits)));
}

Model Model::compile(std::shared_ptr<const amber::Reader> reader) {
  Model model;
  auto context = std::make_shared<CompileContext>(std::move(reader));
  const Node root = context->root();
  model.root_ = rt::compile(root);
  model.n_features_ = model.root_->n_inputs();
  if (auto fitted = root.find("fitted")) {
    if (auto names = fitted->find("feature_names_in")) model.feature_names_ = names->strings();
  }
  if (!model.feature_names_.empty() && model.feature_names_.size() != model.n_features_) {
    root.fail("feature_names_in does not match the number of inputs");
  }
  model.root_ = std::shared_ptr<const Stage>(std::move(model.root_));
  model.methods_ = model.root_->methods();
  model.kinds_ = kinds_of(*model.root_, model.n_features_);
  for (size_t j = 0; j < model.feature_names_.size(); ++j) {
    if (!model.feature_index_.emplace(model.feature_names_[j], j).second) {
      root.fail("feature_names_in holds \"" + model.feature_names_[j] + "\" twice");
    }
  }
  model.context_ = std::move(context);
  return model;
}

const amber::Reader& Model::reader() const noexcept { return context_->reader(); }
const std::shared_ptr<const amber::Reader>& Model::shared_reader() const noexcept {
  return context_->shared_reader();
}
std::vector<Method> Model::methods() const { return methods_; }
bool Model::has(Method method) const {
  return std::find(methods_.begin(), methods_.end(), method) != methods_.end();
}
size_t Model::n_features() const noexcept { return n_features_; }
const std::vector<std::string>& Model::feature_names() const noexcept { return feature_names_; }
size_t Model::n_outputs(Method method) const { return root_->n_outputs(method); }
const Labels& Model::labels() const { return root_->labels(); }
std::vector<uint8_t> Model::string_inputs() const {
  auto flags = root_->string_inputs();
  flags.resize(n_features_, 0);
  return flags;
}

Frame Model::bind(const Frame& in) const {
  // Zero columns count as named: a frame without any of the model's columns lists them all.
  const bool by_name =
      !feature_names_.empty() && std::all_of(in.columns.begin(), in.columns.end(),
                                             [](const Column& c) { return !c.name.empty(); });
  if (!by_name && in.columns.size() != n_features_) {
    fail(ErrorKind::InvalidArgument, "input",
         std::to_string(in.columns.size()) + " columns, the model expects " +
             std::to_string(n_features_));
  }
  Frame out = by_name ? bind_by_name(in) : in;
  check_kinds(out);
  return out;
}

Frame Model::bind_by_name(const Frame& in) const {
  std::vector<const Column*> source(n_features_, nullptr);
  std::vector<std::string> unexpected;
  for (const Column& column : in.columns) {
    const auto found = feature_index_.find(column.name);
    if (found == feature_index_.end()) {
      unexpected.push_back(column.name);
    } else if (source[found->second] != nullptr) {
      fail(ErrorKind::InvalidArgument, "input", "column \"" + column.name + "\" appears twice");
    } else {
      source[found->second] = &column;
    }
  }
  Frame out;
  out.rows = in.rows;
  std::vector<std::string> missing;
  for (size_t j = 0; j < n_features_; ++j) {
    if (source[j] == nullptr) {
      missing.push_back(feature_names_[j]);
    } else {
      out.columns.push_back(*source[j]);
    }
  }
  if (!missing.empty() || !unexpected.empty()) {
    std::string what;
    if (!missing.empty()) what = columns_phrase("missing", missing);
    if (!unexpected.empty()) {
      what += (what.empty() ? "" : "; ") + columns_phrase("unexpected", unexpected);
    }
    fail(ErrorKind::InvalidArgument, "input",
         what + " (the model reads " + quoted_list(feature_names_) + ")");
  }
  return out;
}

void Model::check_kinds(const Frame& bound) const {
  for (size_t j = 0; j < bound.columns.size() && j < kinds_.size(); ++j) {
    const bool strings = bound.columns[j].is_string();
    if (kinds_[j] == InputKind::Number && strings) {
      fail(ErrorKind::InvalidArgument, "input",
           label(feature_names_, j) + " holds strings; the model reads numbers there");
    }
    if (kinds_[j] == InputKind::String && !strings) {
      fail(ErrorKind::InvalidArgument, "input",
           label(feature_names_, j) +
               " holds numbers; the model reads strings there (its categories are strings)");
    }
  }
}

void Model::run(Method method, const Frame& bound, double* out, Scratch& scratch) const {
  if (!has(method)) {
    fail(ErrorKind::InvalidArgument, std::string(method_name(method)),
         "the model has no such method");
  }
  root_->run(method, bound, out, scratch);
}

void Model::run(Method method, const Frame& bound, double* out, unsigned threads) const {
  const size_t width = n_outputs(method);
  const size_t block = rows_per_block(bound.rows, threads);
  const size_t blocks = (bound.rows + block - 1) / block;
  if (blocks <= 1) {
    set_block_first_row(0);
    return run(method, bound, out, thread_scratch());
  }
  parallel_for(blocks, threads, [&](size_t b) {
    Scratch& scratch = thread_scratch();
    const size_t begin = b * block;
    set_block_first_row(begin);
    const size_t end = std::min(bound.rows, begin + block);
    run(method, slice(bound, begin, end), out + begin * width, scratch);
  });
}

}  // namespace amber::rt
