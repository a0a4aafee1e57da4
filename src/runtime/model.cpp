// Model: compile the graph's root estimator, bind input columns, run in row blocks on threads.
#include "runtime/model.hpp"

#include <algorithm>

#include "format/error.hpp"
#include "format/parallel.hpp"
#include "runtime/registry.hpp"

namespace amber::rt {
namespace {

constexpr size_t kRowsPerBlock = 512;

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
  model.context_ = std::move(context);
  return model;
}

const amber::Reader& Model::reader() const noexcept { return context_->reader(); }
std::vector<Method> Model::methods() const { return root_->methods(); }
bool Model::has(Method method) const {
  const auto m = methods();
  return std::find(m.begin(), m.end(), method) != m.end();
}
size_t Model::n_features() const noexcept { return n_features_; }
const std::vector<std::string>& Model::feature_names() const noexcept { return feature_names_; }
size_t Model::n_outputs(Method method) const { return root_->n_outputs(method); }
const Labels& Model::labels() const { return root_->labels(); }

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
  const size_t blocks = (bound.rows + kRowsPerBlock - 1) / kRowsPerBlock;
  if (blocks <= 1) {
    Scratch scratch;
    return run(method, bound, out, scratch);
  }
  parallel_for(blocks, threads, [&](size_t b) {
    thread_local Scratch scratch;
    const size_t begin = b * kRowsPerBlock;
    const size_t end = std::min(bound.rows, begin + kRowsPerBlock);
    run(method, slice(bound, begin, end), out + begin * width, scratch);
  });
}

}  // namespace amber::rt
