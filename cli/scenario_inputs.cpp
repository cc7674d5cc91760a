#include "scenario_inputs.hpp"

#include <iostream>

#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/scenario/loader.hpp"
#include "interrupts.hpp"

namespace gapcast::cli {
namespace {

void print_warnings(const std::vector<Diagnostic>& warnings) {
  for (const auto& w : warnings) std::cerr << format_diagnostic(w) << "\n";
}

}  // namespace

std::optional<LoadedInputs> load_inputs(const std::vector<std::string>& files,
                                        const std::string& baseline_file,
                                        const std::vector<std::string>& set) {
  LoadedInputs in;
  for (const auto& f : files) in.given.scenarios.push_back(ScenarioInput{f, "", "", "", {}});
  in.given.set = set;
  try {
    LoadOptions load_options;
    load_options.set = set;
    auto loaded = load_scenarios(files, load_options);
    print_warnings(loaded.warnings);
    in.scenarios = std::move(loaded.scenarios);
    if (!baseline_file.empty()) {
      auto base = load_scenarios({baseline_file}, load_options);
      print_warnings(base.warnings);
      in.given.baseline = ScenarioInput{baseline_file, "", "", "", base.scenarios.front().files};
      in.baseline = std::move(base.scenarios);
    }
  } catch (const InputError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << format_diagnostic(d) << "\n";
    std::cerr << "gapcast: " << e.diagnostics().size()
              << (e.diagnostics().size() == 1 ? " problem" : " problems")
              << " in the input; nothing was run or written\n";
    return std::nullopt;
  }
  return in;
}

std::vector<std::filesystem::path> input_files(const LoadedInputs& in) {
  std::vector<std::filesystem::path> files;
  for (const auto* list : {&in.scenarios, &in.baseline}) {
    for (const auto& s : *list) {
      for (const auto& f : s.files) {
        if (!f.path.empty()) files.emplace_back(f.path);
      }
    }
  }
  return files;
}

bool claim_output(const std::string& out, const LoadedInputs& in,
                  std::optional<OutputTransaction>& output) {
  if (out.empty()) return true;
  try {
    output.emplace(out, OutputTransaction::Options{"manifest.json", input_files(in),
                                                   InterruptGuard::flag()});
  } catch (const OutputLocationError& e) {
    std::cerr << "gapcast: --out: " << e.what() << "\nnothing was run or written\n";
    return false;
  }
  return true;
}

}  // namespace gapcast::cli
