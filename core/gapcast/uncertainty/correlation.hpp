#pragma once
/// Rank correlation between uncertain parameters, imposed through a Gaussian copula.
///
/// The user gives a Spearman rank-correlation matrix. For a Gaussian copula the Spearman
/// correlation rho_s and the normal-space Pearson correlation r are related exactly by
/// r = 2 sin(pi rho_s / 6), so the copula is built from that converted matrix. A sample's
/// correlated uniforms are made from its independent uniforms by
///   z = Phi^-1(u),  z' = L z  (L the Cholesky factor),  u' = Phi(z'),
/// and each marginal then maps u' through its own quantile function, so marginals are exact and
/// only the dependence changes.
///
/// A requested matrix that is not a valid correlation matrix is either rejected
/// (RepairPolicy::reject: CorrelationError explains why and names the offending entries) or
/// replaced by the nearest valid correlation matrix in Frobenius norm (Higham 2002, alternating
/// projections), in which case achieved_rank() reports what will actually be imposed.
#include <Eigen/Core>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace gapcast {

class CorrelationError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class RepairPolicy { reject, nearest };

class GaussianCopula {
 public:
  /// `rank` must be square, symmetric (to 1e-12), with a unit diagonal and entries in [-1, 1];
  /// violations throw CorrelationError naming the (row, column) pair. If the converted
  /// normal-space matrix is not positive definite, RepairPolicy::reject throws (message gives
  /// the smallest eigenvalue) and RepairPolicy::nearest repairs it.
  GaussianCopula(const Eigen::MatrixXd& rank, RepairPolicy policy);

  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(chol_.rows()); }
  /// True if the requested matrix had to be repaired.
  [[nodiscard]] bool repaired() const { return repaired_; }
  /// The Spearman matrix that will be imposed (equal to the request unless repaired).
  [[nodiscard]] const Eigen::MatrixXd& achieved_rank() const { return achieved_rank_; }
  /// Largest |achieved - requested| over all entries.
  [[nodiscard]] double max_repair_change() const { return max_change_; }

  /// Transform independent uniforms (size() of them, each in (0,1)) into correlated uniforms,
  /// in place. Deterministic; uses no allocation.
  void apply(std::span<double> uniforms) const;

 private:
  Eigen::MatrixXd chol_;  ///< lower Cholesky factor of the normal-space correlation matrix
  Eigen::MatrixXd achieved_rank_;
  bool repaired_ = false;
  double max_change_ = 0.0;
};

/// Spearman -> normal-space Pearson for a Gaussian copula: 2 sin(pi rho / 6).
double spearman_to_normal(double rho) noexcept;
/// Inverse of spearman_to_normal: (6 / pi) asin(r / 2).
double normal_to_spearman(double r) noexcept;

/// Sample Spearman rank correlation of two equally long series (average ranks for ties).
double sample_spearman(std::span<const double> a, std::span<const double> b);

}  // namespace gapcast
