#!/usr/bin/env bash
# Whole-process speed and memory of `visionagent tool segment` (ISNet) against a short onnxruntime-node script that
# runs the same model file (isnet-peer.mjs), alternating the two over the images for N rounds. Prints each run and
# the medians of wall time, CPU time (user + system) and maximum resident set, with our/peer ratios.
#
#   benchmarks/whole-process/segment-vs-peer.sh [-n ROUNDS] [--outputs all|mask|LIST] [--before DIR] [IMAGE...]
#
# Images default to a 640x480 JPEG photo made from samples/images/coffee.png and samples/images/chelsea.png.
# --before DIR adds a third contestant: another published build of the CLI (a folder holding visionagent.dll),
# to measure a change before and after in the same run. On a loaded machine compare CPU time, not wall time.
#
# The peer is installed once into $VISIONAGENT_PEER (default ~/.cache/visionagent/isnet-peer) with
#   npm install --prefix "$VISIONAGENT_PEER" --onnxruntime-node-install=skip onnxruntime-node@1.31.1 sharp@0.35.6
# (the CPU runtime ships in the package; the skip keeps its install script from downloading the CUDA files).
# ISNet must be in the model cache ($VISIONAGENT_MODELS, default ~/.visionagent/models): `visionagent models fetch segment`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/benchmarks/whole-process"
rounds=5
outputs=all
before=""
images=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) rounds="$2"; shift 2 ;;
    --outputs) outputs="$2"; shift 2 ;;
    --before) before="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) images+=("$1"); shift ;;
  esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "error: -n takes a positive number of rounds, not '$rounds'" >&2; exit 2 ;; esac
if [ -n "$before" ] && [ ! -f "$before/visionagent.dll" ]; then echo "error: --before $before holds no visionagent.dll" >&2; exit 2; fi
command -v node >/dev/null || { echo "error: node is needed for the peer" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }

models="${VISIONAGENT_MODELS:-$HOME/.visionagent/models}"
model="$models/segment/isnet-general-fp16.onnx"
[ -f "$model" ] || { echo "error: $model is missing: run ./visionagent models fetch segment first" >&2; exit 2; }

peer="${VISIONAGENT_PEER:-${XDG_CACHE_HOME:-$HOME/.cache}/visionagent/isnet-peer}"
if [ ! -d "$peer/node_modules/onnxruntime-node" ] || [ ! -d "$peer/node_modules/sharp" ]; then
  echo "installing the peer into $peer" >&2
  mkdir -p "$peer"
  npm install --prefix "$peer" --no-audit --no-fund --onnxruntime-node-install=skip onnxruntime-node@1.31.1 sharp@0.35.6 >&2
fi
# Node resolves packages from the script's folder, so the scripts run from the peer's.
cp "$here/isnet-peer.mjs" "$here/mask-iou.mjs" "$peer/"

"$root/visionagent" tools >/dev/null
ours="$root/src/VisionAgent.Cli/bin/Release/net10.0/ready"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ ${#images[@]} -eq 0 ]; then
  (cd "$peer" && node -e "require('sharp')('$root/samples/images/coffee.png').resize(640, 480, { fit: 'fill' }).jpeg({ quality: 92 }).toFile('$work/photo640.jpg')")
  images=("$work/photo640.jpg" "$root/samples/images/chelsea.png")
fi
for image in "${images[@]}"; do [ -f "$image" ] || { echo "error: image not found: $image" >&2; exit 2; }; done

results="$work/runs.tsv"
run_ours() { # label bin image round
  local out="$work/$1-$4-$(basename "$3")"
  mkdir -p "$out"
  VISIONAGENT_MODELS="$models" VISIONAGENT_HOME="$(mktemp -d -p "$work")" /usr/bin/time -f "%e %U %S %M" -o "$out.time" \
    dotnet "$2/visionagent.dll" tool segment --image "$3" --output "$out" --arg "outputs=$outputs" --offline >"$out.log" 2>&1 \
    || { echo "error: $1 failed on $3:" >&2; cat "$out.log" >&2; exit 1; }
  record "$1" "$3" "$4" "$out.time"
}
run_peer() { # image round
  local out="$work/peer-$2-$(basename "$1")"
  (cd "$peer" && /usr/bin/time -f "%e %U %S %M" -o "$out.time" node isnet-peer.mjs "$model" "$1" "$out.png" >"$out.log" 2>&1) \
    || { echo "error: the peer failed on $1:" >&2; cat "$out.log" >&2; exit 1; }
  record peer "$1" "$2" "$out.time"
}
record() { # program image round timefile
  read -r wall user sys rss < <(tail -n 1 "$4")
  local cpu; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '%s\t%s\t%s\t%s\t%s\t%d\n' "$(basename "$2")" "$1" "$3" "$wall" "$cpu" $((rss / 1024)) >>"$results"
  printf '%-16s %-7s round %-2s wall %6ss  cpu %6ss  max RSS %5d MB  load %s\n' "$(basename "$2")" "$1" "$3" "$wall" "$cpu" $((rss / 1024)) "$(cut -d' ' -f1 /proc/loadavg)"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; outputs=$outputs"
# A first call of each, not counted: it makes our float32 copy of the model if missing and warms the disk cache.
run_ours ours "$ours" "${images[0]}" warm >/dev/null
run_peer "${images[0]}" warm >/dev/null
: >"$results"
for round in $(seq 1 "$rounds"); do
  for image in "${images[@]}"; do
    # The order alternates each round, so a change in the machine's load falls on both sides.
    if [ $((round % 2)) -eq 1 ]; then
      run_ours ours "$ours" "$image" "$round"; run_peer "$image" "$round"
    else
      run_peer "$image" "$round"; run_ours ours "$ours" "$image" "$round"
    fi
    if [ -n "$before" ]; then run_ours before "$before" "$image" "$round"; fi
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '\nmedians over %s rounds\n%-16s %-7s %8s %8s %9s %10s %10s\n' "$rounds" image program wall cpu "RSS MB" "cpu/peer" "wall/peer"
for image in "${images[@]}"; do
  name="$(basename "$image")"
  peer_wall=$(awk -F'\t' -v i="$name" '$1 == i && $2 == "peer" { print $4 }' "$results" | median)
  peer_cpu=$(awk -F'\t' -v i="$name" '$1 == i && $2 == "peer" { print $5 }' "$results" | median)
  for program in ours before peer; do
    rows=$(awk -F'\t' -v i="$name" -v p="$program" '$1 == i && $2 == p' "$results")
    [ -n "$rows" ] || continue
    wall=$(cut -f4 <<<"$rows" | median); cpu=$(cut -f5 <<<"$rows" | median); rss=$(cut -f6 <<<"$rows" | median)
    awk -v i="$name" -v p="$program" -v w="$wall" -v c="$cpu" -v r="$rss" -v pw="$peer_wall" -v pc="$peer_cpu" \
      'BEGIN { printf "%-16s %-7s %7.2fs %7.2fs %9d %10.2f %10.2f\n", i, p, w, c, r, c / pc, w / pw }'
  done
done
