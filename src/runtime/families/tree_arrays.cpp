// Reads canonical node arrays, refuses any tree whose traversal could loop or leave its arrays.
#include "runtime/families/tree_arrays.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "runtime/families/tree_common.hpp"

namespace amber::rt::trees {
namespace {

constexpr int64_t kLeaf = -1;
constexpr int64_t kUndefinedFeature = -2;

/// The columns the runtime reads, in fetch order.
enum Column { kOffsets, kLeft, kRight, kFeature, kThreshold, kMissing, kValue, kColumns };
constexpr const char* kNames[kColumns] = {"node_offsets", "left",         "right", "feature",
                                          "threshold",    "missing_left", "value"};
/// Decoded bytes of node columns from which a forest is decoded while it is placed.
constexpr uint64_t kStreamBytes = uint64_t{4} << 20;
/// Columns the Python reader needs; the runtime checks only their shapes.
constexpr const char* kNodeStats[] = {"impurity", "n_node_samples", "weighted_n_node_samples"};

std::vector<int64_t> checked_offsets(const Node& node, const amber::ArrayData& data,
                                     size_t n_trees) {
  auto offsets = to_int64(data, node);
  if (offsets.size() != n_trees + 1) {
    node.fail("has " + std::to_string(offsets.size()) + " entries, expected " +
              std::to_string(n_trees + 1) + " (one more than the trees)");
  }
  if (offsets[0] != 0) node.fail("must start at 0");
  for (size_t t = 0; t < n_trees; ++t) {
    if (offsets[t + 1] <= offsets[t]) {
      node.fail("must increase strictly (tree " + std::to_string(t) + " has no node)");
    }
  }
  if (offsets.back() > std::numeric_limits<int32_t>::max()) {
    node.unsupported("more than 2^31 - 1 nodes in one estimator");
  }
  return offsets;
}

/// An integer column read in place: amber writes left/right as int32, feature as the smallest
/// signed type that holds the features, missing_left as uint8 (docs/schema/tree.md), so the
/// common file needs no widened copy of its node arrays.
template <typename T>
struct Ints {
  const uint8_t* bytes;
  int64_t operator[](size_t i) const {
    T v;
    std::memcpy(&v, bytes + i * sizeof(T), sizeof(T));  // a plain load once optimised
    return static_cast<int64_t>(v);
  }
};

/// The columns of one estimator's trees, each integer one as stored (L: left and right, F:
/// feature, M: missing_left) or widened to int64 when its dtype is another.
template <typename L, typename F, typename M>
struct Columns {
  Ints<L> left, right;
  Ints<F> feature;
  Ints<M> missing;
  std::span<const double> threshold;
};

/// One tree's integer columns widened to int64 (local node indices): what the general checks
/// and flatten() read, for the rare tree the one-pass path hands over.
struct TreeInts {
  std::vector<int64_t> left, right, feature, missing;
  template <typename C>
  void take(const C& c, size_t begin, size_t end) {
    const size_t n = end - begin;
    left.resize(n);
    right.resize(n);
    feature.resize(n);
    missing.resize(n);
    for (size_t i = 0; i < n; ++i) {
      left[i] = c.left[begin + i];
      right[i] = c.right[begin + i];
      feature[i] = c.feature[begin + i];
      missing[i] = c.missing[begin + i];
    }
  }
};

/// Keeps the node columns' rows decoded ahead of place_trees() and gives back the rows it has
/// placed, when the columns are being decoded in the background (a big compressed file);
/// does nothing for columns that are whole.
class Feed {
 public:
  /// Rows made ready (and given back) at a time.
  static constexpr uint64_t kSpan = uint64_t{1} << 15;

  Feed() = default;
  /// `slots[c]`: the decode slot of integer column c (left, right, feature, missing_left,
  /// threshold), whose rows are `row_bytes[c]` bytes.
  Feed(amber::StreamingDecode* decode, std::array<size_t, 5> slots,
       std::array<uint64_t, 5> row_bytes, uint64_t rows)
      : decode_(decode), slots_(slots), row_bytes_(row_bytes), rows_(rows) {}

  /// Rows [0, rows) are decoded when this returns.
  void need(uint64_t rows) {
    if (decode_ == nullptr || rows <= ready_) return;
    ready_ = std::min(rows_, std::max(rows, ready_ + kSpan));
    for (size_t c = 0; c < slots_.size(); ++c) decode_->wait(slots_[c], ready_ * row_bytes_[c]);
  }
  /// Rows [0, rows) are read for good.
  void done(uint64_t rows) {
    if (decode_ == nullptr || rows < released_ + kSpan) return;
    for (size_t c = 0; c < slots_.size(); ++c) decode_->release(slots_[c], rows * row_bytes_[c]);
    released_ = rows;
  }
  /// Every row, for a reader that reads the columns whole.
  void all() { need(rows_); }

 private:
  amber::StreamingDecode* decode_ = nullptr;
  std::array<size_t, 5> slots_{};
  std::array<uint64_t, 5> row_bytes_{};
  uint64_t rows_ = 0, ready_ = 0, released_ = 0;
};

void check_features(std::span<const int64_t> left, std::span<const int64_t> feature,
                    size_t n_features,
                    const std::function<std::string(const char*, size_t)>& name) {
  for (size_t i = 0; i < left.size(); ++i) {
    const int64_t f = feature[i];
    if (left[i] == kLeaf) {
      if (f != kUndefinedFeature) fail_at(name("feature", i), "must be -2 at a leaf");
    } else if (f < 0 || static_cast<uint64_t>(f) >= n_features) {
      fail_at(name("feature", i), std::to_string(f) + " is not a feature index in [0, " +
                                      std::to_string(n_features) + ")");
    }
  }
}

/// Lays tree [begin, end) out in FlatNode order (depth-first, left first) over the same range.
/// The tree was checked first, so the walk visits every node once. `stack` is reused scratch of
/// (local node, position of the split it is the right child of, or -1).
void flatten(const TreeInts& c, std::span<const double> threshold, size_t begin, bool nan_flag,
             TreeSet& out, std::vector<std::pair<int64_t, int32_t>>& stack) {
  stack.assign(1, {0, -1});
  auto position = static_cast<int32_t>(begin);
  while (!stack.empty()) {
    const auto [local, parent] = stack.back();
    stack.pop_back();
    const auto i = static_cast<size_t>(local);
    const size_t g = begin + i;
    const int32_t at = position++;
    if (parent >= 0) out.nodes[parent].next = at;
    FlatNode& n = out.nodes[at];
    n.threshold = threshold[g];
    if (c.left[i] == kLeaf) {
      n.feature = kLeafFeature;
      n.next = static_cast<int32_t>(g);  // values stay in the file's order: no copy
      continue;
    }
    n.feature = static_cast<int32_t>(c.feature[i]) | (nan_flag && c.missing[i] != 0 ? kNanLeft : 0);
    stack.emplace_back(c.right[i], at);
    stack.emplace_back(c.left[i], -1);  // popped next: placed right after its parent
  }
}

/// The common case in one pass. A tree in scikit-learn's depth-first order (each split's left
/// child right after it, its right child after the whole left subtree) is already in FlatNode
/// order: checking it means following that order, and each node is written in place. Returns
/// false at the first anomaly of any kind; the caller then runs the general checks and
/// flatten(), which name it. This accepts only trees they accept, and writes the same nodes.
/// `pending` is reused scratch: the right children still to come, innermost last.
template <typename C>
bool flatten_preorder(const C& c, size_t begin, size_t end, size_t n_features, bool nan_flag,
                      TreeSet& out, std::vector<int64_t>& pending) {
  const auto n = static_cast<int64_t>(end - begin);
  pending.clear();
  for (int64_t i = 0; i < n; ++i) {
    const size_t g = begin + static_cast<size_t>(i);
    const int64_t l = c.left[g], r = c.right[g], f = c.feature[g];
    FlatNode& node = out.nodes[g];
    node.threshold = c.threshold[g];
    if (l == kLeaf) {
      if (r != kLeaf || f != kUndefinedFeature) return false;
      node.feature = kLeafFeature;
      node.next = static_cast<int32_t>(g);  // values stay in the file's order: no copy
      // The next node must be the right child of the innermost split still open.
      if (pending.empty()) {
        if (i + 1 != n) return false;
      } else {
        if (pending.back() != i + 1) return false;
        pending.pop_back();
      }
      continue;
    }
    if (l != i + 1 || r <= l || r >= n || f < 0 || static_cast<uint64_t>(f) >= n_features) {
      return false;
    }
    pending.push_back(r);
    node.feature = static_cast<int32_t>(f) | (nan_flag && c.missing[g] != 0 ? kNanLeft : 0);
    node.next = static_cast<int32_t>(begin + static_cast<size_t>(r));
  }
  // The last node is a leaf (a split's children would lie past it), and a leaf with a split
  // still open returned false above: nothing is pending here.
  return true;
}

}  // namespace

namespace {

TreeWalk tree_defect(const char* column, size_t node, std::string what) {
  return TreeWalk{0, TreeDefect{column, node, std::move(what)}};
}

TreeWalk entered_twice(const char* column, size_t parent, size_t child) {
  return tree_defect(column, parent,
                     "node " + std::to_string(child) +
                         " is entered twice (a cycle or a shared subtree): not a tree");
}

/// The first node the walk did not mark in `seen` (the root is always marked).
TreeWalk unreachable(const std::vector<uint8_t>& seen) {
  size_t orphan = 0;
  while (orphan < seen.size() && seen[orphan]) ++orphan;
  return tree_defect("left", orphan,
                     "node " + std::to_string(orphan) +
                         " is not reachable from the root (it lies on a cycle or below one): "
                         "not a tree");
}

/// The walk for trees whose children all come after their parent (scikit-learn's own order):
/// one pass in node order. Every node but the root then has exactly one parent, which comes
/// before it, so following parents from any node ends at the root: no cycle, nothing
/// unreachable.
TreeWalk walk_forward(std::span<const int64_t> left, std::span<const int64_t> right,
                      WalkScratch& scratch) {
  const size_t n = left.size();
  auto& seen = scratch.seen;
  auto& depth = scratch.depth;
  seen.assign(n, 0);
  seen[0] = 1;
  depth.resize(n);
  depth[0] = 0;
  uint32_t deepest = 0;
  for (size_t i = 0; i < n; ++i) {
    if (left[i] == kLeaf) continue;
    const uint32_t below = depth[i] + 1;
    for (const char* column : {"left", "right"}) {
      const auto child = static_cast<size_t>(column[0] == 'l' ? left[i] : right[i]);
      if (seen[child]) return entered_twice(column, i, child);
      seen[child] = 1;
      depth[child] = below;
    }
    deepest = std::max(deepest, below);
  }
  if (std::find(seen.begin(), seen.end(), 0) != seen.end()) return unreachable(seen);
  return TreeWalk{deepest, std::nullopt};
}

/// The general walk, for nodes in any order: depth first from the root.
TreeWalk walk_from_root(std::span<const int64_t> left, std::span<const int64_t> right,
                        WalkScratch& scratch) {
  const size_t n = left.size();
  auto& seen = scratch.seen;
  auto& stack = scratch.stack;
  seen.assign(n, 0);
  seen[0] = 1;
  size_t reached = 1;
  size_t depth = 0;
  stack.assign(1, {0, 0});
  while (!stack.empty()) {
    const auto [i, level] = stack.back();
    stack.pop_back();
    depth = std::max(depth, level);
    if (left[i] == kLeaf) continue;
    for (const char* column : {"left", "right"}) {
      const auto child = static_cast<size_t>(column[0] == 'l' ? left[i] : right[i]);
      if (seen[child]) return entered_twice(column, i, child);
      seen[child] = 1;
      ++reached;
      stack.emplace_back(child, level + 1);
    }
  }
  if (reached != n) return unreachable(seen);
  return TreeWalk{depth, std::nullopt};
}

}  // namespace

TreeWalk walk_tree(std::span<const int64_t> left, std::span<const int64_t> right,
                   WalkScratch& scratch) {
  const size_t n = left.size();
  bool forward = true;
  for (size_t i = 0; i < n; ++i) {
    const int64_t l = left[i], r = right[i];
    if ((l == kLeaf) != (r == kLeaf)) {
      return tree_defect(l == kLeaf ? "right" : "left", i,
                         "a node has either two children or none (-1 in both left and right)");
    }
    for (const char* column : {"left", "right"}) {
      const int64_t child = column[0] == 'l' ? l : r;
      if (child != kLeaf && (child < 0 || static_cast<uint64_t>(child) >= n)) {
        return tree_defect(column, i,
                           std::to_string(child) + " is out of range [0, " + std::to_string(n) +
                               ") (-1 marks a leaf)");
      }
    }
    forward &= l == kLeaf || (static_cast<size_t>(l) > i && static_cast<size_t>(r) > i);
  }
  // Both walks find the same trees valid; the forward one is a single cache-friendly pass.
  return forward ? walk_forward(left, right, scratch) : walk_from_root(left, right, scratch);
}

void check_tree_structure(std::span<const int64_t> left, std::span<const int64_t> right,
                          WalkScratch& scratch,
                          const std::function<std::string(const char*, size_t)>& name) {
  const TreeWalk walk = walk_tree(left, right, scratch);
  if (walk.defect) fail_at(name(walk.defect->column, walk.defect->node), walk.defect->what);
}

namespace {

/// Checks every tree of `c` and lays it out in `out`: in one pass when it is in scikit-learn's
/// order, else by the general checks (which name the defect) on its widened columns.
template <typename C>
void place_trees(const C& c, const std::vector<int64_t>& offsets, const TreeSetSpec& spec,
                 TreeSet& out, Feed& feed) {
  TreeInts tree;
  WalkScratch scratch;
  std::vector<std::pair<int64_t, int32_t>> stack;
  std::vector<int64_t> pending;
  for (size_t t = 0; t < spec.n_trees; ++t) {
    const auto begin = static_cast<size_t>(offsets[t]);
    const auto end = static_cast<size_t>(offsets[t + 1]);
    out.roots.push_back(static_cast<int32_t>(begin));
    feed.need(end);
    if (flatten_preorder(c, begin, end, spec.n_features, spec.nan_goes_by_flag, out, pending)) {
      feed.done(end);
      continue;
    }
    const std::string path = join_path(spec.prefix, spec.tree_path(t));
    auto name = [&](const char* column, size_t i) {
      return path + "." + column + "[" + std::to_string(i) + "]";
    };
    tree.take(c, begin, end);
    check_tree_structure(tree.left, tree.right, scratch, name);
    check_features(tree.left, tree.feature, spec.n_features, name);
    flatten(tree, c.threshold, begin, spec.nan_goes_by_flag, out, stack);
    feed.done(end);
  }
}

/// place_trees() over the integer columns as stored when they have the dtypes amber writes,
/// or widened to int64 once (another writer's dtypes).
void place_all(const std::vector<amber::ArrayData>& data, const std::vector<Node>& nodes,
               std::span<const double> threshold, const std::vector<int64_t>& offsets,
               const TreeSetSpec& spec, TreeSet& out, Feed& feed) {
  const auto at = [&](Column k) { return data[k].bytes.data(); };
  const DType missing = data[kMissing].info->dtype;
  if (data[kLeft].info->dtype == DType::Int32 && data[kRight].info->dtype == DType::Int32 &&
      (missing == DType::UInt8 || missing == DType::Bool)) {
    // Charged as to_int64 charges the widened columns: refs that name these trees many times
    // stay within the compile budget.
    for (Column k : {kLeft, kRight, kFeature, kMissing}) {
      nodes[k].context().charge(data[k].info->element_count(), nodes[k]);
    }
    const auto in_place = [&]<typename F>(F) {
      const Columns<int32_t, F, uint8_t> c{
          {at(kLeft)}, {at(kRight)}, {at(kFeature)}, {at(kMissing)}, threshold};
      place_trees(c, offsets, spec, out, feed);
    };
    switch (data[kFeature].info->dtype) {
      case DType::Int8:
        return in_place(int8_t{});
      case DType::Int16:
        return in_place(int16_t{});
      case DType::Int32:
        return in_place(int32_t{});
      default:
        break;
    }
  }
  feed.all();
  Feed whole;  // the widened copies below are whole
  const std::array<std::vector<int64_t>, 4> wide{
      to_int64(data[kLeft], nodes[kLeft]), to_int64(data[kRight], nodes[kRight]),
      to_int64(data[kFeature], nodes[kFeature]), to_int64(data[kMissing], nodes[kMissing])};
  const auto bytes = [&](size_t k) { return reinterpret_cast<const uint8_t*>(wide[k].data()); };
  const Columns<int64_t, int64_t, int64_t> c{
      {bytes(0)}, {bytes(1)}, {bytes(2)}, {bytes(3)}, threshold};
  place_trees(c, offsets, spec, out, whole);
}

}  // namespace

TreeSet read_tree_set(const Node& trees, const TreeSetSpec& spec) {
  std::vector<Node> nodes;
  for (const char* name : kNames) nodes.push_back(trees[name]);
  const std::span<const Node> all(nodes);
  const auto offsets_data = fetch(all.first(1));
  const auto offsets = checked_offsets(nodes[kOffsets], offsets_data[0], spec.n_trees);
  const uint64_t n = static_cast<uint64_t>(offsets.back());
  const uint64_t flat[] = {n};
  for (size_t c = kLeft; c < kValue; ++c) expect_shape(nodes[c], flat);
  for (const char* stat : kNodeStats) expect_shape(trees[stat], flat);
  const uint64_t value_shape[] = {n, spec.shape.n_outputs, spec.shape.width};
  expect_shape(nodes[kValue], value_shape);
  if (spec.n_features > static_cast<size_t>(kFeatureMask) + 1) {
    trees.unsupported("more than 2^30 features");
  }

  // A big compressed forest is decoded on helper threads while its trees are placed from the
  // rows already decoded, and the rows placed are given back: the columns never all exist
  // decoded at once. A small one is decoded whole, which costs less than the helpers' start.
  uint64_t decoded = 0;
  for (size_t c = kLeft; c < kColumns; ++c) decoded += array_info(nodes[c]).decoded_length;
  std::vector<amber::ArrayData> data;
  std::unique_ptr<amber::StreamingDecode> decode;
  Feed feed;
  if (decoded >= kStreamBytes) {
    decode = stream(all.subspan(kLeft));
    data.push_back(offsets_data[0]);
    for (size_t c = kLeft; c < kColumns; ++c) data.push_back(decode->pending(c - kLeft));
    std::array<uint64_t, 5> row_bytes{};
    constexpr std::array<Column, 5> kRead{kLeft, kRight, kFeature, kMissing, kThreshold};
    for (size_t i = 0; i < kRead.size(); ++i) {
      row_bytes[i] = itemsize(data[kRead[i]].info->dtype);
    }
    feed = Feed(decode.get(), {kLeft - 1, kRight - 1, kFeature - 1, kMissing - 1, kThreshold - 1},
                row_bytes, n);
  } else {
    data = fetch(all);
  }
  TreeSet out;
  out.nodes.resize(n);
  out.stride = spec.shape.n_outputs * spec.shape.width;
  std::vector<double> threshold_storage;
  if (reinterpret_cast<uintptr_t>(data[kThreshold].bytes.data()) % alignof(double) != 0) {
    feed.all();  // as_doubles copies a misaligned column whole
  }
  const auto threshold = as_doubles(data[kThreshold], threshold_storage, nodes[kThreshold]);
  place_all(data, nodes, threshold, offsets, spec, out, feed);
  if (decode) decode->wait_all();  // the values, and a damaged frame nothing read fails here
  out.value_data = data[kValue];
  out.value = as_doubles(out.value_data, out.value_storage, nodes[kValue]);
  return out;
}

}  // namespace amber::rt::trees
