# Shared by the whole-process benchmarks (sourced with the script's arguments, after it sets its default rounds):
# times commands with /usr/bin/time and prints medians.
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
# The commands timed: ours (the launcher) and, with --before DIR, another published build (a folder holding
# visionagent.dll) in the same rounds. Options: -n ROUNDS, --before DIR; other arguments are left in "${rest[@]}".
ours=("$root/visionagent")
before=()
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) rounds="$2"; shift 2 ;;
    --before) before=(dotnet "$2/visionagent.dll"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "error: -n takes a positive number of rounds, not '$rounds'" >&2; exit 2 ;; esac
if [ ${#before[@]} -gt 0 ] && [ ! -f "${before[1]}" ]; then echo "error: --before: ${before[1]} not found" >&2; exit 2; fi
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }
