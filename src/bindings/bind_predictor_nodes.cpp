// amber._core.fill_predictor_nodes: the Python loader's HistGradientBoosting predictor check
// and record fill in one native pass.
//
// The columns of hist_gradient_boosting/1 (docs/schema/tree.md §5) become scikit-learn's
// PREDICTOR_RECORD_DTYPE records. Each predictor is checked by the runtime's own
// find_predictor_defect before its records are written, so both readers refuse the same
// predictors with the same messages; a dozen NumPy passes per column did this before.
#include <nanobind/stl/array.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bindings/node_columns.hpp"
#include "runtime/families/hgb_arrays.hpp"

namespace amber::py {
namespace {

constexpr const char* kFunction = "fill_predictor_nodes";

/// The record's fields, in the order of the Python reader's NODE_COLUMNS.
enum Field {
  kValue,
  kCount,
  kFeatureIdx,
  kNumThreshold,
  kMissingGoToLeft,
  kLeft,
  kRight,
  kGain,
  kDepth,
  kIsLeaf,
  kBinThreshold,
  kIsCategorical,
  kBitsetIdx,
  kFields
};
using FieldOffsets = std::array<int64_t, kFields>;
/// Byte width of each field in PREDICTOR_RECORD_DTYPE (feature_idx is intp).
constexpr size_t kWidths[kFields] = {8, 4, 8, 8, 1, 4, 4, 8, 4, 1, 1, 1, 4};
constexpr const char* kNames[kFields] = {
    "value", "count", "feature_idx", "num_threshold", "missing_go_to_left", "left",      "right",
    "gain",  "depth", "is_leaf",     "bin_threshold", "is_categorical",     "bitset_idx"};
constexpr bool kIsFloat[kFields] = {true, false, false, true,  false, false, false,
                                    true, false, false, false, false, false};

/// The columns, each either float64 or an integer column of any width.
struct Columns {
  std::array<const double*, kFields> doubles{};
  std::vector<std::optional<IntColumn>> ints;
};

Columns read_columns(const std::vector<AnyColumn>& arrays, size_t n) {
  if (arrays.size() != kFields) misuse(kFunction, "expected 13 columns");
  Columns c;
  c.ints.resize(kFields);
  for (size_t f = 0; f < kFields; ++f) {
    if (arrays[f].size() != n) misuse(kFunction, std::string(kNames[f]) + " has the wrong size");
    if (!kIsFloat[f]) {
      c.ints[f].emplace(arrays[f], kFunction, kNames[f]);
      continue;
    }
    const auto dtype = arrays[f].dtype();
    if (dtype != nb::dtype<double>())
      misuse(kFunction, std::string(kNames[f]) + " must be float64");
    c.doubles[f] = static_cast<const double*>(arrays[f].data());
  }
  return c;
}

/// One predictor's integer columns widened to int64, reused from predictor to predictor.
struct Scratch {
  std::array<std::vector<int64_t>, kFields> ints;
  rt::trees::PredictorScratch walk;
};

/// Writes the records of the predictor at global nodes [a, b): integer fields cast to their
/// width as NumPy's assignment would, flags as 0 or 1, features renumbered for the installed
/// scikit-learn (`internal[input feature]`), 0 at leaves.
void write_records(const Columns& c, const Scratch& s, size_t a, size_t b, uint8_t* records,
                   size_t itemsize, const FieldOffsets& at, const int64_t* internal) {
  const auto& v = s.ints;
  for (size_t i = 0; i < b - a; ++i) {
    uint8_t* record = records + (a + i) * itemsize;
    const bool leaf = v[kIsLeaf][i] != 0;
    put<double>(record, at[kValue], c.doubles[kValue][a + i]);
    put<uint32_t>(record, at[kCount], static_cast<uint32_t>(v[kCount][i]));
    put<int64_t>(record, at[kFeatureIdx], leaf ? 0 : internal[v[kFeatureIdx][i]]);
    put<double>(record, at[kNumThreshold], c.doubles[kNumThreshold][a + i]);
    put<uint8_t>(record, at[kMissingGoToLeft], v[kMissingGoToLeft][i] != 0);
    put<uint32_t>(record, at[kLeft], static_cast<uint32_t>(v[kLeft][i]));
    put<uint32_t>(record, at[kRight], static_cast<uint32_t>(v[kRight][i]));
    put<double>(record, at[kGain], c.doubles[kGain][a + i]);
    put<uint32_t>(record, at[kDepth], static_cast<uint32_t>(v[kDepth][i]));
    put<uint8_t>(record, at[kIsLeaf], leaf);
    put<uint8_t>(record, at[kBinThreshold], static_cast<uint8_t>(v[kBinThreshold][i]));
    put<uint8_t>(record, at[kIsCategorical], !leaf && v[kIsCategorical][i] != 0);
    put<uint32_t>(record, at[kBitsetIdx], static_cast<uint32_t>(v[kBitsetIdx][i]));
  }
}

/// The integer columns in the types amber writes for scikit-learn's predictors, read in place.
struct TypedColumns {
  const uint32_t *count, *left, *right, *depth, *bitset_idx;
  const int32_t* feature;
  const uint8_t *missing, *is_leaf, *bin_threshold, *is_categorical;
};

std::optional<TypedColumns> typed_columns(const Columns& c) {
  const TypedColumns t{
      c.ints[kCount]->typed<uint32_t>(),          c.ints[kLeft]->typed<uint32_t>(),
      c.ints[kRight]->typed<uint32_t>(),          c.ints[kDepth]->typed<uint32_t>(),
      c.ints[kBitsetIdx]->typed<uint32_t>(),      c.ints[kFeatureIdx]->typed<int32_t>(),
      c.ints[kMissingGoToLeft]->typed<uint8_t>(), c.ints[kIsLeaf]->typed<uint8_t>(),
      c.ints[kBinThreshold]->typed<uint8_t>(),    c.ints[kIsCategorical]->typed<uint8_t>()};
  const bool all = t.count && t.left && t.right && t.depth && t.bitset_idx && t.feature &&
                   t.missing && t.is_leaf && t.bin_threshold && t.is_categorical;
  return all ? std::optional<TypedColumns>(t) : std::nullopt;
}

/// The common case in one pass, as fill_tree_nodes does for trees: a predictor whose children
/// follow their parent (scikit-learn's order) with nothing wrong, checked and written in one
/// loop over the columns as stored. Returns false at the first anomaly of any kind, and the
/// caller runs the general path (find_predictor_defect), which names it: this one accepts
/// only predictors that one accepts.
bool fill_forward(const Columns& c, const TypedColumns& p, size_t a, size_t b,
                  const rt::trees::PredictorLimits& limits, const int64_t* internal,
                  uint8_t* records, size_t itemsize, const FieldOffsets& at,
                  std::vector<uint8_t>& seen) {
  const size_t n = b - a;
  seen.assign(n, 0);
  seen[0] = 1;
  size_t entered = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t g = a + i;
    const bool leaf = p.is_leaf[g] != 0;
    int64_t feature = 0;
    if (!leaf) {
      const size_t l = p.left[g], r = p.right[g];
      if (l <= i || r <= i || l >= n || r >= n || seen[l]) return false;
      seen[l] = 1;
      if (seen[r]) return false;
      seen[r] = 1;
      entered += 2;
      const int64_t f = p.feature[g];
      if (f < 0 || static_cast<uint64_t>(f) >= limits.n_features) return false;
      if (p.is_categorical[g] != 0 &&
          (limits.is_categorical.empty() || !limits.is_categorical[static_cast<size_t>(f)] ||
           p.bitset_idx[g] >= limits.n_bitsets)) {
        return false;
      }
      feature = internal[f];
    }
    uint8_t* record = records + g * itemsize;
    put<double>(record, at[kValue], c.doubles[kValue][g]);
    put<uint32_t>(record, at[kCount], p.count[g]);
    put<int64_t>(record, at[kFeatureIdx], feature);
    put<double>(record, at[kNumThreshold], c.doubles[kNumThreshold][g]);
    put<uint8_t>(record, at[kMissingGoToLeft], p.missing[g] != 0);
    put<uint32_t>(record, at[kLeft], p.left[g]);
    put<uint32_t>(record, at[kRight], p.right[g]);
    put<double>(record, at[kGain], c.doubles[kGain][g]);
    put<uint32_t>(record, at[kDepth], p.depth[g]);
    put<uint8_t>(record, at[kIsLeaf], leaf);
    put<uint8_t>(record, at[kBinThreshold], p.bin_threshold[g]);
    put<uint8_t>(record, at[kIsCategorical], !leaf && p.is_categorical[g] != 0);
    put<uint32_t>(record, at[kBitsetIdx], p.bitset_idx[g]);
  }
  // Each entry marked a distinct non-root node: all n reached exactly once.
  return entered + 1 == n;
}

std::optional<Defect> fill_all(const Columns& c, const Int64s& offsets,
                               const Int64s& bitset_offsets, const rt::trees::PredictorLimits& base,
                               const int64_t* internal, uint8_t* records, size_t itemsize,
                               const FieldOffsets& at) {
  Scratch s;
  rt::trees::PredictorLimits limits = base;
  const auto typed = typed_columns(c);
  for (size_t t = 0; t + 1 < offsets.size(); ++t) {
    const auto a = static_cast<size_t>(offsets(t));
    const auto b = static_cast<size_t>(offsets(t + 1));
    limits.n_bitsets = static_cast<size_t>(bitset_offsets(t + 1) - bitset_offsets(t));
    if (typed &&
        fill_forward(c, *typed, a, b, limits, internal, records, itemsize, at, s.walk.walk.seen)) {
      continue;
    }
    for (size_t f = 0; f < kFields; ++f) {
      if (c.ints[f]) c.ints[f]->copy(a, b, s.ints[f]);
    }
    const rt::trees::PredictorColumns columns{s.ints[kIsLeaf],        s.ints[kLeft],
                                              s.ints[kRight],         s.ints[kFeatureIdx],
                                              s.ints[kIsCategorical], s.ints[kBitsetIdx]};
    if (auto defect = rt::trees::find_predictor_defect(columns, limits, s.walk)) {
      return Defect{t, defect->column, defect->node, defect->what};
    }
    write_records(c, s, a, b, records, itemsize, at, internal);
  }
  return std::nullopt;
}

nb::object fill_predictor_nodes(Records records, FieldOffsets fields, Int64s offsets,
                                Int64s bitset_offsets, std::vector<AnyColumn> columns,
                                Int64s internal, AnyColumn categorical_features) {
  const size_t itemsize = records.shape(1);
  for (size_t f = 0; f < kFields; ++f) {
    if (fields[f] >= 0 && static_cast<size_t>(fields[f]) + kWidths[f] > itemsize) {
      misuse(kFunction, "a field lies outside the record");
    }
  }
  check_offsets(kFunction, offsets, {records.shape(0)});
  const auto n = static_cast<size_t>(offsets(offsets.size() - 1));
  if (records.shape(0) != n) misuse(kFunction, "one record per node");
  const Columns c = read_columns(columns, n);
  if (bitset_offsets.size() != offsets.size() || bitset_offsets(0) != 0) {
    misuse(kFunction, "bitset_offsets need one entry per predictor and a leading 0");
  }
  for (size_t t = 0; t + 1 < bitset_offsets.size(); ++t) {
    if (bitset_offsets(t + 1) < bitset_offsets(t)) misuse(kFunction, "bitset_offsets decrease");
  }
  const size_t n_features = internal.size();
  for (size_t j = 0; j < n_features; ++j) {
    if (internal(j) < 0 || static_cast<size_t>(internal(j)) >= n_features) {
      misuse(kFunction, "internal is not a permutation of the features");
    }
  }
  const auto mask = categorical_features.dtype();
  if (mask != nb::dtype<uint8_t>() ||
      (categorical_features.size() != 0 && categorical_features.size() != n_features)) {
    misuse(kFunction, "categorical_features must be uint8, one per feature or none");
  }
  const rt::trees::PredictorLimits limits{
      n_features,
      {static_cast<const uint8_t*>(categorical_features.data()), categorical_features.size()},
      0};
  std::optional<Defect> defect;
  {
    nb::gil_scoped_release release;
    defect = fill_all(c, offsets, bitset_offsets, limits, internal.data(), records.data(), itemsize,
                      fields);
  }
  return to_python(defect);
}

}  // namespace

void bind_predictor_nodes(nb::module_& m) {
  m.def("fill_predictor_nodes", &fill_predictor_nodes, nb::arg("records"), nb::arg("fields"),
        nb::arg("offsets"), nb::arg("bitset_offsets"), nb::arg("columns"), nb::arg("internal"),
        nb::arg("categorical_features"),
        "Checks the hist_gradient_boosting/1 columns of consecutive predictors (13, in the\n"
        "order of PREDICTOR_RECORD_DTYPE) and writes scikit-learn's predictor records (a uint8\n"
        "view, one row per node) at the given field offsets. Features are renumbered through\n"
        "`internal` (the installed scikit-learn's index of each input feature). Returns None,\n"
        "or (predictor, column, local node, what) for the first bad value.");
}

}  // namespace amber::py
