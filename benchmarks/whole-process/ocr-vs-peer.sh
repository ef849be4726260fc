#!/usr/bin/env bash
# Whole-process OCR against the peer: `visionagent tool ocr --image X` (a fresh process per image: .NET start,
# host, sessions, one read) and a node script that creates @gutenye/ocr-node 1.4.8 (the same PP-OCRv4 ONNX files
# on onnxruntime-node) and reads the same image. N rounds (default 5), each alternating ours / [before] / peer per
# image; medians of wall and CPU time (user + sys) and our time over the peer's.
#
#   benchmarks/whole-process/ocr-vs-peer.sh [-n ROUNDS] [--before DIR] [IMAGE...]
#
# Without images: samples/images/page.png and rendered scenes (a 1080p screenshot, fonts, noise, long lines in
# both orientations), written by `dotnet run --project benchmarks/VisionAgent.Benchmarks -c Release -- render-ocr-scenes DIR`.
# --before DIR times another published build of the CLI (a folder holding visionagent.dll) in the same rounds.
# The peer is installed once into $VISIONAGENT_OCR_PEER (default: a folder under the temporary directory) with
#   npm install --onnxruntime-node-install=skip @gutenye/ocr-node@1.4.8
# Models come from $VISIONAGENT_MODELS as usual (fetched by the warm-up run when missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds=5
# shellcheck source=measure.sh
. "$here/measure.sh" "$@"
command -v node >/dev/null || { echo "error: node is needed for the peer" >&2; exit 2; }

peer_dir="${VISIONAGENT_OCR_PEER:-${TMPDIR:-/tmp}/visionagent-ocr-peer}"
# The marker is written only after a complete install, so a broken one is redone.
if [ ! -f "$peer_dir/.ocr-node-1.4.8-installed" ]; then
  mkdir -p "$peer_dir"
  # The CPU runtime ships in the package; skip the CUDA files its install script would download.
  (cd "$peer_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --onnxruntime-node-install=skip @gutenye/ocr-node@1.4.8 >/dev/null)
  touch "$peer_dir/.ocr-node-1.4.8-installed"
fi
cat >"$peer_dir/peer-ocr.mjs" <<'JS'
import Ocr from '@gutenye/ocr-node'
const ocr = await Ocr.create()
for (const image of process.argv.slice(2)) {
  const lines = await ocr.detect(image)
  console.log(lines.map(l => l.text).join('\n'))
}
JS

images=(${rest[@]+"${rest[@]}"})
if [ ${#images[@]} -eq 0 ]; then
  scenes="${TMPDIR:-/tmp}/visionagent-ocr-scenes"
  dotnet run --project "$root/benchmarks/VisionAgent.Benchmarks" -c Release -- render-ocr-scenes "$scenes" >/dev/null
  images=("$root/samples/images/page.png" "$scenes"/*.png)
fi
for image in "${images[@]}"; do [ -f "$image" ] || { echo "error: image not found: $image" >&2; exit 2; }; done

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
