#pragma once
/// The shard format: one shard of a run (run/shard.hpp) as bytes, to travel between machines
/// (a file from `gapcast run --shard START:STOP --out-shard F`, a task result on a Dask
/// cluster) and be merged anywhere (`gapcast merge`, gapcast.Results.merge).
///
/// Layout, all integers little-endian:
///   "GAPCAST-SHARD\n"        14 bytes, the magic
///   u32 format_version       shard_format_version; other versions are refused
///   u64 n, n bytes           the header, JSON: the range, the run's description (RunInfo,
///                            options included), scenarios, dates, quantiles, assumptions,
///                            and how the whole run was asked for (command, inputs)
///   the summaries            RunSummaries::encode: layout, then every cell's counts, exact
///                            sum and sketch bins (never per-sample values)
///   64 bytes                 SHA-256 (hex) of everything before it
/// The size depends on the spread of the values, not on the number of samples: about the
/// size of one run's summaries in memory.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gapcast/run/shard.hpp"

namespace gapcast {

inline constexpr std::string_view shard_magic = "GAPCAST-SHARD\n";
inline constexpr std::uint32_t shard_format_version = 1;

/// A shard with what a merged results directory needs to record besides it: the command line
/// of the whole run (without the shard's own flags) and its inputs (RunInputs JSON text, ""
/// when unknown), so that the merged manifest can be rerun by `gapcast reproduce`.
struct ShardPayload {
  RunShard shard;
  std::vector<std::string> command;
  std::string inputs_json;
};

/// Bytes that are not a shard of this format: not one at all, another format version, a
/// truncated or altered file (the checksum), or malformed content.
class ShardFormatError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

std::string encode_shard(const ShardPayload& payload);
/// Reads encode_shard's bytes; throws ShardFormatError saying what is wrong.
ShardPayload decode_shard(std::string_view bytes);

/// Writes the shard to `path` atomically (a temporary file beside it, then rename): a reader
/// never sees half a shard. Throws std::runtime_error naming the path on failure.
void write_shard_file(const std::filesystem::path& path, const ShardPayload& payload);
/// Reads a shard file; errors (ShardFormatError, std::runtime_error for I/O) name the file.
ShardPayload read_shard_file(const std::filesystem::path& path);

}  // namespace gapcast
