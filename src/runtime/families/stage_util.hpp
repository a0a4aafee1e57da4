// Helpers the linear, preprocessing and composition compilers share: checked readers of fitted
// members, input checks, NumPy-exact reductions and the transformer base class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/graph_node.hpp"
#include "runtime/stage.hpp"

namespace amber::rt::fam {

/// The most columns or outputs any compiled stage accepts (a hostile file cannot ask for more).
inline constexpr int64_t kMaxWidth = int64_t{1} << 24;

/// A row-major matrix read from the graph.
struct Matrix {
  std::vector<double> data;
  size_t rows = 0;
  size_t cols = 0;
  const double* row(size_t r) const { return data.data() + r * cols; }
};

/// The estimator's `fitted` object; an unfitted estimator (`null`) is Unsupported.
Node fitted_of(const Node& estimator);
/// Parameter `name` of the estimator's `params`.
Node param(const Node& estimator, std::string_view name);
/// The `class` of an estimator node without its module ("StandardScaler").
std::string short_class(const Node& estimator);

/// An integer in [lo, hi], else InvalidGraph naming the node.
int64_t int_in(const Node& node, int64_t lo, int64_t hi);
/// Fails LimitExceeded at `where` when a stage's output `width` is over kMaxWidth: callers size
/// output buffers by it, so a few graph nodes must not make it unbounded.
void check_width(uint64_t width, const Node& where);
/// `fitted.n_features_in`, validated to be in [1, kMaxWidth].
size_t n_features_in(const Node& fitted);
/// Numbers of a float node, a numeric `scalar`, a 0-d/1-d ndarray or a list, flattened.
std::vector<double> read_vector(const Node& node);
/// `read_vector` with exactly `size` elements, else InvalidGraph.
std::vector<double> read_vector(const Node& node, size_t size);
/// A 1-d (one row) or 2-d ndarray whose last axis has `cols` elements.
Matrix read_matrix(const Node& node, size_t cols);
/// Integers of a node that must each lie in [0, bound), else InvalidGraph naming the node.
std::vector<size_t> read_indices(const Node& node, size_t bound);
/// A classifier's `classes` (numeric or string ndarray) with at least `min_size` elements.
Labels read_labels(const Node& node, size_t min_size = 1);

/// Throws InvalidArgument unless `in` has `width` numeric columns.
void require_numeric(const Frame& in, size_t width, const std::string& who);
/// Base pointer when `in` is exactly a row-major block of doubles (the fast path), else null.
const double* row_major_base(const Frame& in);
/// Copies row `row` of numeric `in` into `dst`.
void gather_row(const Frame& in, size_t row, double* dst);
/// A frame viewing `rows` x `cols` row-major doubles; kept per thread and per scratch `slot`, so
/// that a warm one-row call allocates nothing.
const Frame& row_major_frame(size_t slot, const double* data, size_t rows, size_t cols);
/// A per-thread frame for `slot` to fill with selected columns (cleared, capacity kept).
Frame& frame_slot(size_t slot);

/// NumPy's sum of `n` contiguous doubles (pairwise, as `np.sum(axis=-1)` computes it).
double numpy_sum(const double* values, size_t n);

/// Fails InvalidArgument naming `who` when row `row` of `in` holds infinity, or NaN unless
/// `allow_nan` (scikit-learn's `ensure_all_finite` True or "allow-nan").
void check_finite_row(const Frame& in, size_t row, const std::string& who, bool allow_nan = false);

/// A compiled transformer: offers Transform only.
class Transformer : public Stage {
 public:
  Transformer(std::string path, size_t n_in, size_t n_out)
      : path_(std::move(path)), n_in_(n_in), n_out_(n_out) {}
  std::vector<Method> methods() const override { return {Method::Transform}; }
  size_t n_inputs() const override { return n_in_; }
  size_t n_outputs(Method) const override { return n_out_; }
  void run(Method method, const Frame& in, double* out, Scratch& scratch) const override;
  /// Writes rows x n_outputs doubles for the rows of `in`.
  virtual void transform(const Frame& in, double* out, Scratch& scratch) const = 0;
  /// Whether inverse() exists (TransformedTargetRegressor needs it).
  virtual bool invertible() const { return false; }
  /// inverse_transform of `rows` x n_outputs row-major values into rows x n_inputs.
  virtual void inverse(const double* in, size_t rows, double* out) const;
  const std::string& path() const noexcept { return path_; }

 protected:
  std::string path_;
  size_t n_in_;
  size_t n_out_;
};

/// Fails InvalidArgument: `method` is not offered by the stage at `path`.
[[noreturn]] void no_method(const std::string& path, Method method);

}  // namespace amber::rt::fam
