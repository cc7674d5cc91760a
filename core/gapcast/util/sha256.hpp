#pragma once
/// SHA-256 (FIPS 180-4), for the scenario hashes recorded in run manifests.
#include <filesystem>
#include <string>
#include <string_view>

namespace gapcast {

/// Lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);
/// Lower-case hex digest of a file's bytes; throws std::runtime_error if it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace gapcast
