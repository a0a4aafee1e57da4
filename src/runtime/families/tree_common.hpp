// Shared pieces of the tree family's compilers (docs/schema/tree.md): typed arrays, labels, paths.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/reader.hpp"
#include "format/streaming_decode.hpp"
#include "runtime/graph_node.hpp"
#include "runtime/stage.hpp"

namespace amber::rt::trees {

/// The array-table entry of an `ndarray` node, without decoding it (shape and dtype checks).
const amber::ArrayInfo& array_info(const Node& node);

/// Checks that an `ndarray` node has exactly `shape`; fails naming the node otherwise.
void expect_shape(const Node& node, std::span<const uint64_t> shape);

/// Decodes several `ndarray` nodes at once, in parallel, checksums checked. The returned
/// data owns (or keeps mapped) its bytes.
std::vector<amber::ArrayData> fetch(std::span<const Node> nodes);

/// Starts decoding several `ndarray` nodes on helper threads (checksums checked first), for a
/// reader that consumes them front to back while the rest is decoded.
std::unique_ptr<amber::StreamingDecode> stream(std::span<const Node> nodes);

/// Elements of an integer array converted to int64 (any integer or bool dtype).
std::vector<int64_t> to_int64(const amber::ArrayData& data, const Node& where);
/// Throws naming `where` unless the array has an integer or bool dtype.
void require_integers(const amber::ArrayData& data, const Node& where);
/// Rows [begin, end) of an integer array converted to int64 into `out` (resized): one tree's
/// rows at a time, where a whole widened column is not needed.
void widen_rows(const amber::ArrayData& data, const Node& where, size_t begin, size_t end,
                std::vector<int64_t>& out);

/// A float64 array as a span: zero-copy when aligned, else copied into `storage`.
std::span<const double> as_doubles(const amber::ArrayData& data, std::vector<double>& storage,
                                   const Node& where);

/// A classifier's classes from an `ndarray` node (numeric or strings).
Labels read_labels(const Node& classes);

/// `prefix.tail`, or `tail` when the estimator is the root (paths of docs/object-graph.md §4).
std::string join_path(std::string_view prefix, std::string_view tail);

/// Throws Error(InvalidGraph) at `path`.
[[noreturn]] void fail_at(const std::string& path, std::string_view what);

/// Throws Error(InvalidArgument) for an input column the model cannot read.
[[noreturn]] void bad_input(size_t column, std::string_view what);

/// Checks an estimator node's `schema` member against the one this compiler reads.
void expect_schema(const Node& estimator, std::string_view schema);

/// The `fitted` member, refusing unfitted estimators.
Node fitted_of(const Node& estimator);

/// `n_features_in` of a fitted object, checked positive.
size_t n_features_of(const Node& fitted);

/// Index of the first maximum of `values[0, n)`, as numpy.argmax (NaN wins, first one).
size_t argmax(const double* values, size_t n);

/// A booster's init DummyClassifier (`classifier`) or DummyRegressor whose file records no
/// n_features_in (scikit-learn up to 1.4): compiled with the booster's `n_features`.
StagePtr compile_dummy_init(const Node& init, bool classifier, size_t n_features);

// Registration of each file's compilers; trees.cpp's register_trees() calls them all.
void register_single_trees();
void register_forests();
void register_gradient_boosting();
void register_hist_gradient_boosting();
void register_dummies();
/// IsolationForest, AdaBoost*, Bagging* (isolation_forest.cpp, adaboost.cpp, bagging.cpp).
void register_isolation_forest();
void register_adaboost();
void register_bagging();

}  // namespace amber::rt::trees
