// Model: compile the graph's root estimator, bind input columns, run in row blocks on threads.
#include "runtime/model.hpp"

#include <algorithm>
#include <thread>

#include "format/error.hpp"
#include "format/parallel.hpp"
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
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
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

/// Kept across calls (and models): warm buffers are what makes repeated calls allocation-free.
Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

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
  model.context_ = std::move(context);
  return model;
}

const amber::Reader& Model::reader() const noexcept { return context_->reader(); }
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
  const bool by_name = !feature_names_.empty() &&
                       std::all_of(in.columns.begin(), in.columns.end(),
                                   [](const Column& c) { return !c.name.empty(); }) &&
                       !in.columns.empty();
  if (!by_name) {
    if (in.columns.size() != n_features_) {
      fail(ErrorKind::InvalidArgument, "input",
           std::to_string(in.columns.size()) + " columns, the model expects " +
               std::to_string(n_features_));
    }
    return in;
  }
  Frame out;
  out.rows = in.rows;
  for (const auto& name : feature_names_) {
    auto found = std::find_if(in.columns.begin(), in.columns.end(),
                              [&](const Column& c) { return c.name == name; });
    if (found == in.columns.end()) {
      fail(ErrorKind::InvalidArgument, "input", "missing column \"" + name + "\"");
    }
    out.columns.push_back(*found);
  }
  return out;
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
    return run(method, bound, out, thread_scratch());
  }
  parallel_for(blocks, threads, [&](size_t b) {
    Scratch& scratch = thread_scratch();
    const size_t begin = b * block;
    const size_t end = std::min(bound.rows, begin + block);
    run(method, slice(bound, begin, end), out + begin * width, scratch);
  });
}

}  // namespace amber::rt
