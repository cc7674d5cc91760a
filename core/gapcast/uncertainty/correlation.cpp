// GCC 12 reports -Wmaybe-uninitialized false positives inside Eigen's self-adjoint and
// triangular matrix-vector kernels, which the eigen solver below instantiates. The CMake build
// sees Eigen as a system header and never shows them; this keeps a plain -I build warning-free
// as well. The pragma covers only the lines of the included Eigen headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "gapcast/uncertainty/correlation.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <numeric>
#include <string_view>

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/erf.hpp>

namespace gapcast {
namespace {

namespace bm = boost::math;
// Double precision throughout (no long-double promotion), so results do not depend on the
// platform's long double; same policy as distributions.cpp.
using Policy = bm::policies::policy<bm::policies::promote_double<false>,
                                    bm::policies::overflow_error<bm::policies::ignore_error>>;

using Eigen::Index;
using Eigen::MatrixXd;

constexpr double kSymmetryTolerance = 1e-12;
constexpr double kBelowOne = 1.0 - 0x1.0p-53;
constexpr double kTiny = std::numeric_limits<double>::min();

std::string num(double x) {
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  return {buf.data(), r.ptr};
}
// Two significant digits are enough to tell a user how far from valid a matrix is.
std::string num2(double x) {
  std::array<char, 64> buf{};
  const auto r =
      std::to_chars(buf.data(), buf.data() + buf.size(), x, std::chars_format::general, 2);
  return {buf.data(), r.ptr};
}
// Entries are reported 1-based, as a user counts rows and columns.
std::string entry(Index i, Index j) {
  return "(" + std::to_string(i + 1) + ", " + std::to_string(j + 1) + ")";
}

[[noreturn]] void fail(const std::string& message) { throw CorrelationError(message); }

double std_normal_quantile(double p) {
  return -std::numbers::sqrt2 * bm::erfc_inv(2.0 * p, Policy());
}
// erfc form: keeps full relative precision deep in the lower tail, where 1 - Phi(-x) would
// round to 0.
double std_normal_cdf(double x) { return 0.5 * bm::erfc(-x / std::numbers::sqrt2, Policy()); }

void validate(const MatrixXd& m) {
  if (m.rows() != m.cols()) {
    fail("correlation matrix must be square (got " + std::to_string(m.rows()) + "x" +
         std::to_string(m.cols()) + ")");
  }
  const Index n = m.rows();
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      if (!std::isfinite(m(i, j))) {
        fail("correlation matrix entry " + entry(i, j) + " must be a finite number (got " +
             num(m(i, j)) + ")");
      }
    }
  }
  for (Index i = 0; i < n; ++i) {
    if (std::fabs(m(i, i) - 1.0) > kSymmetryTolerance) {
      fail("correlation matrix diagonal entry " + entry(i, i) + " must be 1 (got " +
           num(m(i, i)) + ")");
    }
  }
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      if (m(i, j) < -1.0 || m(i, j) > 1.0) {
        fail("correlation matrix entry " + entry(i, j) + " = " + num(m(i, j)) +
             " is outside [-1, 1]");
      }
    }
  }
  for (Index i = 0; i < n; ++i) {
    for (Index j = i + 1; j < n; ++j) {
      if (std::fabs(m(i, j) - m(j, i)) > kSymmetryTolerance) {
        fail("correlation matrix entry " + entry(i, j) + " = " + num(m(i, j)) + " differs from " +
             entry(j, i) + " = " + num(m(j, i)) + ": the matrix must be symmetric");
      }
    }
  }
}

// Projection onto the positive semidefinite cone in Frobenius norm: clip negative eigenvalues.
MatrixXd project_psd(const MatrixXd& a, double floor) {
  const Eigen::SelfAdjointEigenSolver<MatrixXd> es(a);
  const Eigen::VectorXd clipped = es.eigenvalues().cwiseMax(floor);
  MatrixXd out = es.eigenvectors() * clipped.asDiagonal() * es.eigenvectors().transpose();
  return 0.5 * (out + out.transpose());  // remove rounding asymmetry
}

// Nearest correlation matrix (Higham 2002, unit weights): alternate projections onto the PSD
// cone and onto the unit-diagonal matrices. The PSD set is not affine, so plain alternation
// would converge to some point of the intersection rather than the nearest one; Dykstra's
// correction (dS) fixes that.
MatrixXd nearest_correlation(const MatrixXd& a) {
  constexpr int kMaxIterations = 10000;
  constexpr double kTolerance = 1e-13;
  MatrixXd y = a, x = a;
  MatrixXd ds = MatrixXd::Zero(a.rows(), a.cols());
  for (int it = 0; it < kMaxIterations; ++it) {
    const MatrixXd r = y - ds;
    const MatrixXd x_new = project_psd(r, 0.0);
    ds = x_new - r;
    MatrixXd y_new = x_new;
    y_new.diagonal().setOnes();
    const double norm_y = y_new.norm();
    const bool converged = (y_new - y).norm() <= kTolerance * norm_y &&
                           (x_new - x).norm() <= kTolerance * norm_y &&
                           (y_new - x_new).norm() <= kTolerance * norm_y;
    x = x_new;
    y = y_new;
    if (converged) break;
  }
  return y;
}

// The limit of the projections is only positive semidefinite (usually singular), and the
// Cholesky factor needs a strictly positive definite matrix. Lift the eigenvalues to a small
// floor and rescale back to a unit diagonal (a congruence, so definiteness is preserved);
// raise the floor only if rounding still defeats the factorisation.
MatrixXd make_positive_definite(const MatrixXd& c, Eigen::LLT<MatrixXd>& llt) {
  for (double floor = 1e-10; floor <= 1e-2; floor *= 100.0) {
    MatrixXd p = project_psd(c, floor);
    const Eigen::VectorXd inv_sd = p.diagonal().cwiseSqrt().cwiseInverse();
    p = inv_sd.asDiagonal() * p * inv_sd.asDiagonal();
    p = 0.5 * (p + p.transpose());
    p.diagonal().setOnes();
    llt.compute(p);
    if (llt.info() == Eigen::Success) return p;
  }
  llt.compute(MatrixXd::Identity(c.rows(), c.cols()));  // unreachable in practice
  return MatrixXd::Identity(c.rows(), c.cols());
}

// A short account of why a matrix is not positive definite, for the reject message: the first
// three parameters whose pairwise correlations already contradict each other, or else the
// parameters that dominate the offending eigenvector.
std::string explain_conflict(const MatrixXd& rank, const MatrixXd& normal,
                             const Eigen::VectorXd& worst_vector) {
  const Index n = normal.rows();
  for (Index i = 0; i < n; ++i) {
    for (Index j = i + 1; j < n; ++j) {
      if (std::fabs(normal(i, j)) >= 1.0 - 1e-12) {
        return "entry " + entry(i, j) + " = " + num(rank(i, j)) +
               " makes parameters " + std::to_string(i + 1) + " and " + std::to_string(j + 1) +
               " perfectly dependent";
      }
    }
  }
  if (n <= 64) {
    for (Index i = 0; i < n; ++i) {
      for (Index j = i + 1; j < n; ++j) {
        for (Index k = j + 1; k < n; ++k) {
          const std::array<Index, 3> idx = {i, j, k};
          Eigen::Matrix3d sub;
          for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) sub(r, c) = normal(idx[r], idx[c]);
          }
          if (Eigen::LLT<Eigen::Matrix3d>(sub).info() != Eigen::Success) {
            return "entries " + entry(i, j) + " = " + num(rank(i, j)) + ", " + entry(i, k) +
                   " = " + num(rank(i, k)) + " and " + entry(j, k) + " = " + num(rank(j, k)) +
                   " contradict each other";
          }
        }
      }
    }
  }
  const double biggest = worst_vector.cwiseAbs().maxCoeff();
  std::string rows;
  for (Index i = 0; i < n; ++i) {
    if (std::fabs(worst_vector(i)) >= 0.3 * biggest) {
      rows += (rows.empty() ? "" : ", ") + std::to_string(i + 1);
    }
  }
  return "the conflict involves rows " + rows;
}

}  // namespace

double spearman_to_normal(double rho) noexcept {
  return 2.0 * std::sin(std::numbers::pi * rho / 6.0);
}

double normal_to_spearman(double r) noexcept {
  return (6.0 / std::numbers::pi) * std::asin(r / 2.0);
}

GaussianCopula::GaussianCopula(const Eigen::MatrixXd& rank, RepairPolicy policy) {
  validate(rank);
  const Index n = rank.rows();
  // Symmetrise the request (it may differ by up to the tolerance) and make the diagonal exact.
  MatrixXd requested = 0.5 * (rank + rank.transpose());
  requested.diagonal().setOnes();

  MatrixXd normal(n, n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      normal(i, j) = i == j ? 1.0 : spearman_to_normal(requested(i, j));
    }
  }

  Eigen::LLT<MatrixXd> llt(normal);
  if (llt.info() == Eigen::Success) {
    chol_ = llt.matrixL();
    achieved_rank_ = requested;
    return;
  }

  if (policy == RepairPolicy::reject) {
    const Eigen::SelfAdjointEigenSolver<MatrixXd> es(normal);
    fail("the correlation matrix is not positive definite: on the copula's normal scale its "
         "smallest eigenvalue is " +
         num2(es.eigenvalues()(0)) + ", so these rank correlations cannot all hold at once (" +
         explain_conflict(requested, normal, es.eigenvectors().col(0)) +
         "); loosen the strongest correlations, or ask for the nearest valid matrix "
         "(repair policy 'nearest')");
  }

  const MatrixXd repaired = make_positive_definite(nearest_correlation(normal), llt);
  chol_ = llt.matrixL();
  repaired_ = true;
  achieved_rank_ = MatrixXd::Identity(n, n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      if (i != j) achieved_rank_(i, j) = normal_to_spearman(repaired(i, j));
      max_change_ = std::max(max_change_, std::fabs(achieved_rank_(i, j) - requested(i, j)));
    }
  }
}

void GaussianCopula::apply(std::span<double> uniforms) const {
  const Index n = chol_.rows();
  if (uniforms.size() != static_cast<std::size_t>(n)) {
    throw CorrelationError("copula of size " + std::to_string(n) + " applied to " +
                           std::to_string(uniforms.size()) + " uniforms");
  }
  for (const double u : uniforms) {
    if (!(u > 0.0 && u < 1.0)) {
      throw CorrelationError("copula input must lie in (0, 1) (got " + num(u) + ")");
    }
  }
  double* v = uniforms.data();
  for (Index i = 0; i < n; ++i) v[i] = std_normal_quantile(v[i]);
  // z' = L z in place with no scratch buffer: row i of the lower-triangular L only reads
  // z_0..z_i, so working from the last row upwards never reads an entry already overwritten.
  for (Index i = n - 1; i >= 0; --i) {
    double s = 0.0;
    for (Index j = 0; j <= i; ++j) s += chol_(i, j) * v[j];
    v[i] = s;
  }
  // Phi(z') can round to exactly 0 or 1 far in the tails; marginal quantile functions need an
  // open interval.
  for (Index i = 0; i < n; ++i) v[i] = std::clamp(std_normal_cdf(v[i]), kTiny, kBelowOne);
}

namespace {
// Ranks 1..n, ties receiving the average of the ranks they span.
std::vector<double> average_ranks(std::span<const double> x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return x[i] < x[j]; });
  std::vector<double> ranks(x.size());
  std::size_t start = 0;
  while (start < order.size()) {
    std::size_t end = start + 1;
    while (end < order.size() && x[order[end]] == x[order[start]]) ++end;
    // Positions start..end-1 (0-based) hold rank start+1..end; their average:
    const double rank = 0.5 * static_cast<double>(start + 1 + end);
    for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}
}  // namespace

double sample_spearman(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("sample_spearman: series differ in length (" +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                                ")");
  }
  if (a.size() < 2) throw std::invalid_argument("sample_spearman needs at least two points");
  for (std::size_t i = 0; i < a.size(); ++i) {
    // NaN has no rank (and would break the sort's ordering requirement).
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      throw std::invalid_argument("sample_spearman: series must not contain NaN");
    }
  }
  const std::vector<double> ra = average_ranks(a), rb = average_ranks(b);
  // Pearson correlation of the ranks; their mean is (n + 1) / 2 exactly, with or without ties.
  const double mean = 0.5 * static_cast<double>(a.size() + 1);
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    const double da = ra[i] - mean, db = rb[i] - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  // A constant series has no rank correlation with anything: NaN, as for Pearson.
  if (saa == 0.0 || sbb == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return sab / std::sqrt(saa * sbb);
}

}  // namespace gapcast
