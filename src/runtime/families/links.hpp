// Link functions and reductions computed exactly as NumPy and SciPy compute them for scikit-learn.
#pragma once

#include <cstddef>

namespace amber::rt::trees {

/// numpy's float64 sum of `n` contiguous values along an axis: 0.0 + pairwise sum (8-way
/// unrolled blocks of up to 128, halves above), so results match np.sum bit for bit.
double numpy_sum(const double* values, size_t n) noexcept;

/// scipy.special.expit: 1 / (1 + exp(-x)).
double expit(double x) noexcept;

/// scipy.special.logit: log(p / (1 - p)) away from 1/2, log1p(s) - log1p(-s) near it.
double logit(double p) noexcept;

/// sklearn.utils.extmath.softmax of one row, in place: x - max, exp, divide by numpy_sum.
void softmax(double* row, size_t n) noexcept;

/// sklearn's MultinomialLogit.link of one row of probabilities, in place: log(p / gmean(p)).
/// `work` holds n doubles.
void multinomial_link(double* row, size_t n, double* work) noexcept;

/// np.log of every element, in place.
void log_all(double* values, size_t n) noexcept;

}  // namespace amber::rt::trees
