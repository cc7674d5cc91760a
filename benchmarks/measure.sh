# Sourced by the benchmark scripts: `measure CMD...` runs CMD under /usr/bin/time -v, with its
# output discarded, and sets $wall (seconds) and $rss_kib (peak resident memory, KiB); it
# prints the command's errors and returns 1 when the command fails.
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
measure() {
  local log
  log="$(mktemp)"
  /usr/bin/time -v "$@" 2> "$log" >/dev/null || { cat "$log" >&2; rm -f "$log"; return 1; }
  # Elapsed is h:mm:ss or m:ss.ss; convert to seconds.
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
                     for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}' "$log")
  rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  rm -f "$log"
}
