#!/usr/bin/env bash
# Whole-process OCR against the peer: `visionagent tool ocr --image X` (a fresh process per image: .NET start,
# host, sessions, one read) and a node script that creates @gutenye/ocr-node 1.4.8 (the same PP-OCRv4 ONNX files
# on onnxruntime-node) and reads the same image. ROUNDS rounds, each alternating ours / [before] / peer per
# image; medians of wall and CPU time (user + sys) and our time over the peer's.
#   benchmarks/whole-process/ocr-vs-peer.sh [ROUNDS] [IMAGE...]
# Without images: samples/images/page.png and rendered scenes (a 1080p screenshot, fonts, noise, long lines in
# both orientations), written by `dotnet run --project benchmarks/VisionAgent.Benchmarks -c Release -- render-ocr-scenes DIR`.
# The peer is installed once into $PEER_DIR (default: a folder under the temporary directory) with
#   npm install @gutenye/ocr-node@1.4.8
# Set BEFORE to another build's command (for example "dotnet /path/to/old/visionagent.dll") to time it too.
# Models come from $VISIONAGENT_MODELS as usual (fetched by the warm-up run when missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds="${1:-5}"
shift || true
# shellcheck source=measure.sh
. "$here/measure.sh"

peer_dir="${PEER_DIR:-${TMPDIR:-/tmp}/visionagent-ocr-peer}"
if [ ! -d "$peer_dir/node_modules/@gutenye/ocr-node" ]; then
  mkdir -p "$peer_dir"
  (cd "$peer_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund @gutenye/ocr-node@1.4.8 >/dev/null)
fi
cat >"$peer_dir/peer-ocr.mjs" <<'JS'
import Ocr from '@gutenye/ocr-node'
const ocr = await Ocr.create()
for (const image of process.argv.slice(2)) {
  const lines = await ocr.detect(image)
  console.log(lines.map(l => l.text).join('\n'))
}
JS

images=("$@")
if [ ${#images[@]} -eq 0 ]; then
  scenes="${TMPDIR:-/tmp}/visionagent-ocr-scenes"
  dotnet run --project "$root/benchmarks/VisionAgent.Benchmarks" -c Release -- render-ocr-scenes "$scenes" >/dev/null
  images=("$root/samples/images/page.png" "$scenes"/*.png)
fi

# Warm-up: builds the launcher's output, fetches models, saves the optimised graphs, fills the file cache.
"${ours[@]}" tool ocr --image "${images[0]}" >/dev/null
if [ ${#before[@]} -gt 0 ]; then "${before[@]}" tool ocr --image "${images[0]}" >/dev/null; fi
node "$peer_dir/peer-ocr.mjs" "${images[0]}" >/dev/null

echo "load average at start: $(load_average)"
for _ in $(seq "$rounds"); do
  for image in "${images[@]}"; do
    name="$(basename "$image")"
    time_once "ours-$name" "${ours[@]}" tool ocr --image "$image"
    if [ ${#before[@]} -gt 0 ]; then time_once "before-$name" "${before[@]}" tool ocr --image "$image"; fi
    time_once "peer-$name" node "$peer_dir/peer-ocr.mjs" "$image"
  done
done
echo "load average at end: $(load_average)"
echo "medians of $rounds rounds, seconds (wall / CPU); ratios are ours over the peer's"
printf '%-36s %-16s %-16s %-16s %-10s %-10s\n' image ours before peer "CPU ratio" "wall ratio"
for image in "${images[@]}"; do
  name="$(basename "$image")"
  theirs="-"
  if [ ${#before[@]} -gt 0 ]; then theirs="$(median "before-$name" 1) / $(median "before-$name" 2)"; fi
  printf '%-36s %-16s %-16s %-16s %-10s %-10s\n' "$name" \
    "$(median "ours-$name" 1) / $(median "ours-$name" 2)" "$theirs" \
    "$(median "peer-$name" 1) / $(median "peer-$name" 2)" \
    "$(ratio "$(median "ours-$name" 2)" "$(median "peer-$name" 2)")" \
    "$(ratio "$(median "ours-$name" 1)" "$(median "peer-$name" 1)")"
done
