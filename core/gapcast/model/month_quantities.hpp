#pragma once
/// What the model knows about one run in one output month: hardware by side, supply channel
/// and workload, the software indices, and the forcing diagnostics. Every recorded series
/// (series.def) is an expression over these quantities, so the full recording of a scenario's
/// own run and the light recording of a counterfactual run compute the values they share with
/// the same operations, bit for bit.
#include <cstddef>

namespace gapcast {

/// Supply-channel positions in HardwareTotals (the order of enum Channel in model.hpp).
inline constexpr std::size_t channel_licensed = 0;
inline constexpr std::size_t channel_smuggled = 1;
inline constexpr std::size_t channel_domestic = 2;
inline constexpr std::size_t channel_remote = 3;

/// Hardware stocks of one state (H100e): the target's by channel and workload, and the US's.
struct HardwareTotals {
  double train[4] = {0, 0, 0, 0};  ///< TPP-based, per channel
  double infer[4] = {0, 0, 0, 0};  ///< bandwidth-based, per channel
  double us_train = 0.0;
  double us_infer = 0.0;

  [[nodiscard]] double target_train() const { return train[0] + train[1] + train[2] + train[3]; }
  [[nodiscard]] double target_infer() const { return infer[0] + infer[1] + infer[2] + infer[3]; }
};

struct MonthQuantities {
  double t = 0.0;  ///< months from the start
  HardwareTotals hw;
  double target_training_log2 = 0.0;    ///< the target's log2 training software index
  double target_training_index = 1.0;   ///< 2^that
  double target_inference_index = 1.0;  ///< 2^(log2 inference index) x its serving factor
  double frontier_training_index = 1.0;
  double frontier_inference_index = 1.0;  ///< Densing index x the frontier's serving factor
  double frontier_watts_per_h100e = 0.0;  ///< all-in power per H100e of the US stock
  double doubling_training = 1.0;   ///< months per doubling of training software efficiency
  double doubling_inference = 1.0;  ///< months per Densing-Law doubling
  double import_pressure = 0.0;     ///< full recording only
  double domestic_output_per_month = 0.0;
  double smuggling_flow_per_month = 0.0;  ///< H100e/month (§5)

  [[nodiscard]] double target_training() const { return hw.target_train() * target_training_index; }
  [[nodiscard]] double target_inference() const {
    return hw.target_infer() * target_inference_index;
  }
  [[nodiscard]] double frontier_training() const { return hw.us_train * frontier_training_index; }
  [[nodiscard]] double frontier_inference() const { return hw.us_infer * frontier_inference_index; }
  [[nodiscard]] double gap_training() const { return frontier_training() / target_training(); }
  [[nodiscard]] double gap_inference() const { return frontier_inference() / target_inference(); }
  [[nodiscard]] double hardware_gap_training() const { return hw.us_train / hw.target_train(); }
};

}  // namespace gapcast
