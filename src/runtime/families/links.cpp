// Link functions: the same operations in the same order as NumPy, SciPy and scikit-learn.
#include "runtime/families/links.hpp"

#include <cmath>

#include "runtime/families/stage_util.hpp"

namespace amber::rt::trees {

// 0.0 + turns a -0.0 sum into +0.0, as the reductions these links mirror do.
double numpy_sum(const double* values, size_t n) noexcept {
  return 0.0 + fam::numpy_sum(values, n);
}

double expit(double x) noexcept { return 1.0 / (1.0 + std::exp(-x)); }

double logit(double p) noexcept {
  if (p < 0.3 || p > 0.65) return std::log(p / (1 - p));
  const double s = 2 * (p - 0.5);
  return std::log1p(s) - std::log1p(-s);
}

void softmax(double* row, size_t n) noexcept {
  double top = row[0];
  for (size_t j = 1; j < n && !std::isnan(top); ++j) {
    if (std::isnan(row[j]) || row[j] > top) top = row[j];  // np.max propagates NaN
  }
  for (size_t j = 0; j < n; ++j) row[j] = std::exp(row[j] - top);
  const double sum = numpy_sum(row, n);
  for (size_t j = 0; j < n; ++j) row[j] /= sum;
}

void multinomial_link(double* row, size_t n, double* work) noexcept {
  // scipy.stats.gmean: exp(mean(log(p))), the mean as numpy's sum / n.
  for (size_t j = 0; j < n; ++j) work[j] = std::log(row[j]);
  const double sum = numpy_sum(work, n);
  const double gmean = std::exp(sum / static_cast<double>(n));
  for (size_t j = 0; j < n; ++j) row[j] = std::log(row[j] / gmean);
}

void log_all(double* values, size_t n) noexcept {
  for (size_t i = 0; i < n; ++i) values[i] = std::log(values[i]);
}

}  // namespace amber::rt::trees
