// Compilers of schema adaboost/1: SAMME votes (AdaBoostClassifier) and the weighted median of
// the members' predictions (AdaBoostRegressor), in scikit-learn's order of operations.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "format/per_thread.hpp"
#include "runtime/families/ensemble_members.hpp"
#include "runtime/families/links.hpp"
#include "runtime/families/stage_util.hpp"
#include "runtime/families/tree_common.hpp"
#include "runtime/families/tree_predict.hpp"
#include "runtime/registry.hpp"

namespace amber::rt::trees {
namespace {

struct MedianOrder;  // names the weighted median's per-thread sort order (per_thread)

/// AdaBoost validates X with scikit-learn's defaults: numbers, no NaN, no infinity.
void check_input(const Frame& in, size_t n_features) {
  fam::require_numeric(in, n_features, "input");
  for (size_t r = 0; r < in.rows; ++r) fam::check_finite_row(in, r, "input");
}

/// The members, in one of the two forms of ensemble.md §2.
struct Members {
  bool trees = false;
  TreeMembers tree;              ///< tree form
  std::vector<StagePtr> stages;  ///< list form
  size_t count() const { return trees ? tree.set.n_trees() : stages.size(); }
};

Members read_members(const Node& fitted, const std::string& prefix, size_t n_features) {
  Members m;
  const Node estimators = fitted["estimators"];
  m.trees = is_tree_members(estimators);
  if (m.trees) {
    m.tree = read_tree_members(estimators, prefix);
    if (m.tree.n_features != n_features) estimators["n_features"].fail("must equal n_features_in");
    return m;
  }
  m.stages = compile_members(estimators);
  const auto items = estimators.items();
  for (size_t t = 0; t < m.stages.size(); ++t) {
    if (m.stages[t]->n_inputs() != n_features) items[t].fail("does not read n_features_in columns");
  }
  return m;
}

/// The members' weights: estimator_weights_ (at least one per member; all of them are summed).
std::vector<double> read_weights(const Node& fitted, size_t n_members) {
  const Node node = fitted["estimator_weights"];
  auto weights = fam::read_vector(node);
  if (weights.size() < n_members) node.fail("has fewer entries than estimators");
  return weights;
}

class AdaBoostClassifierStage final : public Stage {
 public:
  AdaBoostClassifierStage(Members members, std::vector<double> weights, Labels labels,
                          size_t n_features, const Node& where)
      : m_(std::move(members)), labels_(std::move(labels)), n_features_(n_features) {
    const size_t k = labels_.size();
    total_ = fam::numpy_sum(weights.data(), weights.size());
    weights.resize(m_.count());
    // -1 / (n_classes - 1) * w, as Python evaluates it.
    for (const double w : weights) {
      votes_.push_back({w, k > 1 ? (-1.0 / static_cast<double>(k - 1)) * w : 0.0});
    }
    if (m_.trees) {
      const auto map = class_columns_by_label(m_.tree.classes, labels_, where);
      vote_values(map);
    } else {
      for (const auto& stage : m_.stages) {
        if (stage->labels().size() == 0) where.fail("members must be classifiers");
        maps_.push_back(class_columns_by_label(stage->labels(), labels_, where));
      }
    }
    reserve_scratch(0);
  }
  std::vector<Method> methods() const override {
    return {Method::Predict, Method::PredictProba, Method::PredictLogProba,
            Method::DecisionFunction};
  }
  size_t n_inputs() const override { return n_features_; }
  size_t n_outputs(Method method) const override {
    if (method == Method::Predict) return 1;
    if (method == Method::DecisionFunction) return labels_.size() == 2 ? 1 : labels_.size();
    return labels_.size();
  }
  const Labels& labels() const override { return labels_; }
  size_t reserve_scratch(size_t first) override {
    slot_ = first;
    size_t next = first + 4;
    for (auto& stage : m_.stages) next = stage->reserve_scratch(next);
    return next;
  }
  void run(Method method, const Frame& in, double* out, Scratch& scratch) const override;

 private:
  /// Each leaf's vote row: w for the leaf's class (the first maximum of its value), else
  /// -w / (K - 1); summing the rows in tree order is sklearn's sum of np.where(...) terms.
  void vote_values(const std::vector<size_t>& map);
  /// sum over members of their vote rows, divided by the sum of all weights: rows x K.
  void votes(const Frame& in, double* pred, Scratch& scratch) const;
  void decision(const Frame& in, double* out, Scratch& scratch) const;

  Members m_;
  Labels labels_;
  size_t n_features_;
  double total_ = 0;
  std::vector<std::pair<double, double>> votes_;  ///< (w, -w / (K - 1)) per member
  std::vector<double> vote_rows_;                 ///< tree form: per node, K doubles
  std::vector<std::vector<size_t>> maps_;         ///< list form: member class -> our class
  size_t slot_ = 0;  // slot_: votes (rows x K); +1: member output; +2: float32 rows; +3: decision
};

void AdaBoostClassifierStage::vote_values(const std::vector<size_t>& map) {
  TreeSet& set = m_.tree.set;
  const size_t k = labels_.size();
  const size_t width = set.stride;
  vote_rows_.assign(set.nodes.size() * k, 0.0);
  for (size_t t = 0; t < set.n_trees(); ++t) {
    const auto begin = static_cast<size_t>(set.roots[t]);
    const size_t end =
        t + 1 < set.n_trees() ? static_cast<size_t>(set.roots[t + 1]) : set.nodes.size();
    for (size_t i = begin; i < end; ++i) {
      if (!set.nodes[i].is_leaf()) continue;
      const auto g = static_cast<size_t>(set.nodes[i].next);
      const size_t predicted = map[argmax(set.value.data() + g * width, width)];
      for (size_t c = 0; c < k; ++c) {
        vote_rows_[g * k + c] = c == predicted ? votes_[t].first : votes_[t].second;
      }
    }
  }
  set.value = vote_rows_;
  set.stride = k;
}

void AdaBoostClassifierStage::votes(const Frame& in, double* pred, Scratch& scratch) const {
  const size_t k = labels_.size();
  const size_t rows = in.rows;
  std::fill(pred, pred + rows * k, 0.0);
  if (m_.trees) {
    const float* x = float32_values(in, n_features_, scratch, slot_ + 2);
    refuse_infinite(x, rows, n_features_, {});
    add_tree_values(m_.tree.set, 0, m_.count(), x, rows, n_features_, pred);
  } else {
    double* predicted = scratch.get(slot_ + 1, rows);
    for (size_t t = 0; t < m_.stages.size(); ++t) {
      m_.stages[t]->run(Method::Predict, in, predicted, scratch);
      for (size_t r = 0; r < rows; ++r) {
        const size_t c = maps_[t][static_cast<size_t>(predicted[r])];
        for (size_t j = 0; j < k; ++j)
          pred[r * k + j] += j == c ? votes_[t].first : votes_[t].second;
      }
    }
  }
  for (size_t i = 0; i < rows * k; ++i) pred[i] /= total_;
}

void AdaBoostClassifierStage::decision(const Frame& in, double* out, Scratch& scratch) const {
  const size_t k = labels_.size();
  if (k == 1) return std::fill(out, out + in.rows, 0.0);
  if (k > 2) return votes(in, out, scratch);
  double* pred = scratch.get(slot_, in.rows * 2);
  votes(in, pred, scratch);
  for (size_t r = 0; r < in.rows; ++r) {
    const double pair[2] = {-pred[2 * r], pred[2 * r + 1]};  // pred[:, 0] *= -1; sum(axis=1)
    out[r] = fam::numpy_sum(pair, 2);
  }
}

void AdaBoostClassifierStage::run(Method method, const Frame& in, double* out,
                                  Scratch& scratch) const {
  check_input(in, n_features_);
  const size_t k = labels_.size();
  const size_t rows = in.rows;
  if (method == Method::DecisionFunction) return decision(in, out, scratch);
  if (k == 1) {  // one class: decision zeros, probabilities ones, class 0
    std::fill(out, out + rows, method == Method::PredictProba ? 1.0 : 0.0);
    return;
  }
  const size_t width = k == 2 ? 1 : k;
  double* d = scratch.get(slot_ + 3, rows * width);
  decision(in, d, scratch);
  if (method == Method::Predict) {  // on the decision itself: binary `d > 0`, else first argmax
    for (size_t r = 0; r < rows; ++r) {
      out[r] = k == 2 ? (d[r] > 0 ? 1.0 : 0.0) : static_cast<double>(argmax(d + r * k, k));
    }
    return;
  }
  for (size_t r = 0; r < rows; ++r) {
    if (k == 2) {  // np.vstack([-d, d]).T / 2
      out[2 * r] = -d[r] / 2;
      out[2 * r + 1] = d[r] / 2;
    } else {  // decision /= n_classes - 1
      for (size_t c = 0; c < k; ++c) out[r * k + c] = d[r * k + c] / static_cast<double>(k - 1);
    }
    softmax(out + r * k, k);
  }
  if (method == Method::PredictLogProba) log_all(out, rows * k);
}

class AdaBoostRegressorStage final : public Stage {
 public:
  AdaBoostRegressorStage(Members members, std::vector<double> weights, size_t n_features)
      : m_(std::move(members)), weights_(std::move(weights)), n_features_(n_features) {
    weights_.resize(m_.count());
    reserve_scratch(0);
  }
  std::vector<Method> methods() const override { return {Method::Predict}; }
  size_t n_inputs() const override { return n_features_; }
  size_t n_outputs(Method) const override { return 1; }
  size_t reserve_scratch(size_t first) override {
    slot_ = first;
    size_t next = first + 4;
    for (auto& stage : m_.stages) next = stage->reserve_scratch(next);
    return next;
  }
  void run(Method method, const Frame& in, double* out, Scratch& scratch) const override;

 private:
  Members m_;
  std::vector<double> weights_;
  size_t n_features_;
  size_t slot_ = 0;  // slot_: predictions (rows x T); +1: member output; +2: rows; +3: sort
};

void AdaBoostRegressorStage::run(Method method, const Frame& in, double* out,
                                 Scratch& scratch) const {
  if (method != Method::Predict) fam::no_method("", method);
  check_input(in, n_features_);
  const size_t n = m_.count();
  const size_t rows = in.rows;
  double* p = scratch.get(slot_, rows * n);
  std::fill(p, p + rows * n, 0.0);
  if (m_.trees) {
    const double* x = float32_rows(in, n_features_, scratch, slot_ + 2);
    for (size_t i = 0; i < rows * n_features_; ++i) {
      if (std::isinf(x[i]))
        bad_input(i % n_features_,
                  "holds a value too large for float32, which the tree members refuse");
    }
    for (size_t t = 0; t < n; ++t)
      add_scaled_tree(m_.tree.set, t, x, rows, n_features_, 1.0, p, n, t);
  } else {
    double* member = scratch.get(slot_ + 1, rows);
    for (size_t t = 0; t < n; ++t) {
      m_.stages[t]->run(Method::Predict, in, member, scratch);
      for (size_t r = 0; r < rows; ++r) p[r * n + t] = member[r];
    }
  }
  // _get_median_predict: sort each row's predictions, accumulate the weights in that order,
  // take the first prediction whose cumulative weight reaches half the total.
  // Ties keep member order; numpy's argsort may order tied predictions
  // otherwise, which changes only the rounding of the cumulative sums (ensemble.md §5).
  double* cdf = scratch.get(slot_ + 3, n);
  // Grows once per thread: warm calls do not allocate.
  auto& order = amber::per_thread<MedianOrder, std::vector<size_t>>();
  order.resize(std::max(order.size(), n));
  for (size_t r = 0; r < rows; ++r) {
    const double* row = p + r * n;
    std::iota(order.begin(), order.begin() + n, size_t{0});
    std::sort(order.begin(), order.begin() + n, [row](size_t a, size_t b) {
      // numpy's order, NaN last; ties by member index (std::sort allocates nothing).
      const bool na = std::isnan(row[a]), nb = std::isnan(row[b]);
      if (na != nb) return nb;
      if (!na && row[a] != row[b]) return row[a] < row[b];
      return a < b;
    });
    for (size_t i = 0; i < n; ++i)
      cdf[i] = i ? cdf[i - 1] + weights_[order[i]] : weights_[order[0]];
    const double half = 0.5 * cdf[n - 1];
    size_t median = 0;  // argmax of `cdf >= half`: the first true, or 0 when none is
    while (median < n && !(cdf[median] >= half)) ++median;
    out[r] = row[order[median < n ? median : 0]];
  }
}

StagePtr compile_adaboost_classifier(const Node& estimator) {
  expect_schema(estimator, "adaboost/1");
  // The runtime votes as SAMME does. A SAMME.R model (real-valued class probabilities) would
  // give other outputs, so it is refused rather than run as SAMME; writers never produce one.
  if (const auto params = estimator.find("params")) {
    if (const auto algorithm = params->find("algorithm");
        algorithm && algorithm->kind() == "str" && algorithm->as_string() == "SAMME.R") {
      algorithm->unsupported("algorithm=\"SAMME.R\": the runtime implements SAMME only");
    }
  }
  const Node fitted = fitted_of(estimator);
  const size_t n_features = n_features_of(fitted);
  Labels labels = read_labels(fitted["classes"]);
  Members members = read_members(fitted, estimator.path(), n_features);
  if (members.trees && !members.tree.classifier) fitted["estimators"].fail("holds regressors");
  auto weights = read_weights(fitted, members.count());
  return std::make_unique<AdaBoostClassifierStage>(
      std::move(members), std::move(weights), std::move(labels), n_features, fitted["estimators"]);
}

StagePtr compile_adaboost_regressor(const Node& estimator) {
  expect_schema(estimator, "adaboost/1");
  const Node fitted = fitted_of(estimator);
  const size_t n_features = n_features_of(fitted);
  Members members = read_members(fitted, estimator.path(), n_features);
  if (members.trees && (members.tree.classifier || members.tree.n_outputs != 1)) {
    fitted["estimators"].fail("must hold single-output regressors");
  }
  for (const auto& stage : members.stages) {
    if (stage->labels().size() != 0 || stage->n_outputs(Method::Predict) != 1) {
      fitted["estimators"].fail("must hold single-output regressors");
    }
  }
  auto weights = read_weights(fitted, members.count());
  return std::make_unique<AdaBoostRegressorStage>(std::move(members), std::move(weights),
                                                  n_features);
}

}  // namespace

void register_adaboost() {
  register_compiler("sklearn.ensemble._weight_boosting:AdaBoostClassifier",
                    compile_adaboost_classifier);
  register_compiler("sklearn.ensemble._weight_boosting:AdaBoostRegressor",
                    compile_adaboost_regressor);
}

}  // namespace amber::rt::trees
