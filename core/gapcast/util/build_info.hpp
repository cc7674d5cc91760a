#pragma once
/// What the run manifest records about the engine build that produced a result.
#include <string_view>

namespace gapcast {

std::string_view engine_version() noexcept;     ///< semantic version, e.g. "0.1.0"
std::string_view engine_git_commit() noexcept;  ///< commit hash at configure time ("-dirty" if modified)
std::string_view engine_compiler() noexcept;    ///< compiler id and version
std::string_view engine_build_type() noexcept;  ///< CMake build type

}  // namespace gapcast
