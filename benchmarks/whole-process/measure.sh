# Shared by the whole-process benchmarks (sourced, not run): times commands with /usr/bin/time and prints medians.
# Each sample is "wall user sys" in seconds; CPU time is user + sys. On a busy machine the wall time is mostly
# waiting for a core, so compare CPU time there and say what the load average was.

# time_once LABEL COMMAND...: runs the command once (output discarded) and appends "wall cpu" to $samples/LABEL.
time_once() {
  local label="$1"; shift
  local out
  out="$(mktemp)"
  if ! /usr/bin/time -f "%e %U %S" -o "$out" "$@" >/dev/null 2>"$out.err"; then
    echo "error: '$*' failed:" >&2
    cat "$out.err" >&2
    rm -f "$out" "$out.err"
    return 1
  fi
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$out" >>"$samples/$label"
  rm -f "$out" "$out.err"
}

# median LABEL COLUMN: the median of one column (1 wall, 2 CPU) of a label's samples.
median() {
  sort -n -k"$2","$2" "$samples/$1" | awk -v c="$2" '{ v[NR] = $c } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
samples="$(mktemp -d)"
# A data folder of its own, so sessions and logs of the runs never land in the user's.
home="$(mktemp -d)"
export VISIONAGENT_HOME="$home"
trap 'rm -rf "$samples" "$home"' EXIT
# The commands timed: ours (OURS, default the launcher) and, when BEFORE is set, another build in the same rounds.
read -r -a ours <<<"${OURS:-$root/visionagent}"
before=()
if [ -n "${BEFORE:-}" ]; then read -r -a before <<<"$BEFORE"; fi
