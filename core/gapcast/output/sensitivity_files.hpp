#pragma once
/// The files of a sensitivity analysis (docs/sensitivity.md): sensitivity.json (every index,
/// the factors and groups, the options and warnings), sensitivity.csv (the same indices in
/// long form, one value per row), assumptions.json and manifest.json (how to rerun it: `gapcast
/// reproduce` reads the run and sensitivity options back from it).
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/output/atomic_output.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/run/sensitivity.hpp"

namespace gapcast {

/// The JSON form of the sensitivity options (also what the manifest records).
nlohmann::ordered_json to_json(const SensitivityOptions& options);
/// Reads that form strictly (unknown members and wrong types are RunOptionError, with the
/// member's name as the option); members left out keep their defaults.
SensitivityOptions sensitivity_options_from_json(const nlohmann::json& object);

/// sensitivity.json: format "gapcast-sensitivity", version 1.
std::string sensitivity_json(const SensitivityResults& results);
/// sensitivity.csv: scenario,output,metric,date,transform,group,statistic,value (shortest round-trip
/// numbers; NaN as an empty field).
std::string sensitivity_csv(const SensitivityResults& results);
std::string sensitivity_manifest_json(const SensitivityResults& results,
                                      const std::vector<std::string>& command,
                                      const std::vector<std::pair<std::string, std::string>>& files,
                                      const RunInputs* inputs);

/// Evaluated rows of an analysis (SensitivityRows) as bytes, to travel from a cluster worker
/// (docs/distributed.md): the magic "GAPCAST-SENSITIVITY-ROWS\n", a format version (1), a JSON
/// header (range, solver steps, fingerprint, columns, scenarios), every value as a
/// little-endian double (scenario, column, row order), and a SHA-256 of all of it. These are
/// per-row values (the estimators need every one): rows x columns x scenarios x 8 bytes.
std::string encode_sensitivity_rows(const SensitivityRows& rows);
/// Reads them back; throws std::invalid_argument for bytes that are not such rows, another
/// format version, or a checksum that does not match.
SensitivityRows decode_sensitivity_rows(std::string_view bytes);

/// Every file's name and content, the manifest last.
std::vector<std::pair<std::string, std::string>> sensitivity_file_contents(
    const SensitivityResults& results, const std::vector<std::string>& command,
    const RunInputs* inputs);
/// Writes them through `output` and commits; returns the names written.
std::vector<std::string> write_sensitivity(const SensitivityResults& results,
                                           OutputTransaction& output,
                                           const std::vector<std::string>& command,
                                           const RunInputs* inputs);

}  // namespace gapcast
