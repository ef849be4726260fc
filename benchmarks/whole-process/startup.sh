#!/usr/bin/env bash
# Start-up of the CLI: `visionagent --help` and `visionagent tools`, each a fresh process, alternating for N
# rounds (default 10); medians of wall and CPU time (user + sys). --before DIR times another published build of the
# CLI (a folder holding visionagent.dll) in the same rounds.
#   benchmarks/whole-process/startup.sh [-n ROUNDS] [--before DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds=10
# shellcheck source=measure.sh
. "$here/measure.sh" "$@"

"${ours[@]}" --help >/dev/null   # builds the launcher's output when sources changed
echo "load average at start: $(load_average)"
for _ in $(seq "$rounds"); do
  for command in --help tools; do
    time_once "ours-$command" "${ours[@]}" "$command"
    if [ ${#before[@]} -gt 0 ]; then time_once "before-$command" "${before[@]}" "$command"; fi
  done
done
echo "load average at end: $(load_average)"
printf '%-8s %-22s %-22s\n' command "ours wall / CPU (s)" "before wall / CPU (s)"
for command in --help tools; do
  theirs="-"
  if [ ${#before[@]} -gt 0 ]; then theirs="$(median "before-$command" 1) / $(median "before-$command" 2)"; fi
  printf '%-8s %-22s %-22s\n' "$command" "$(median "ours-$command" 1) / $(median "ours-$command" 2)" "$theirs"
done
