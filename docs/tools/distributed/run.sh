#!/usr/bin/env bash
# Communication against compute in data-parallel training (docs/distributed.md): the tutorial's
# model (Q1) and a 10⁶-parameter one, one process against 2 MPI ranks, one thread per process so
# that 2 ranks use the 2 cores one process leaves idle. Prints each run's ms/step (median of the
# steps after the first 3, from metrics.csv) and the communication the run reports.
# usage: docs/tools/distributed/run.sh [REPEATS]     (from the repository root, after `mvn -DskipTests package`)
set -euo pipefail
repeats="${1:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work="$(mktemp -d)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 EQUIFLOW_JAVA_OPTS=-Dequiflow.cpu.threads=1
median_ms() {   # median seconds of the steps after the 3rd, in ms
    tail -n +5 "$1" | awk -F, '{print $NF}' | sort -g | awk '{a[NR]=$1} END {printf "%.1f", 1000 * a[int((NR + 1) / 2)]}'
}
case_run() {   # label ranks reduction script steps
    local label="$1" ranks="$2" reduction="$3" script="$4" steps="$5" out="$work/$1-$2-$3-$RANDOM"
    local cmd=("$root/bin/equiflow" train "$script" --steps "$steps" --no-progress --log-every 100000 --out "$out" --reduction "$reduction")
    local log
    if [[ "$ranks" == 1 ]]; then log="$("${cmd[@]}" 2>&1)"; else log="$(mpirun -np "$ranks" --oversubscribe "${cmd[@]}" 2>&1)"; fi
    local comm
    comm="$(grep -o 'of which [0-9.]* s ([0-9.]* ms/step, [0-9]* %)' <<<"$log" || echo "-")"
    printf '%-6s ranks %d %-11s median %8s ms/step   %s\n' "$label" "$ranks" "$reduction" "$(median_ms "$out/metrics.csv")" "$comm"
}
for r in $(seq "$repeats"); do
    echo "# repeat $r (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    case_run q1 1 block-order "$root/examples/phi4_tutorial.flow" 80
    case_run q1 2 block-order "$root/examples/phi4_tutorial.flow" 80
    case_run q1 2 rank-sums "$root/examples/phi4_tutorial.flow" 80
    case_run wide 1 block-order "$root/docs/tools/distributed/wide.flow" 12
    case_run wide 2 block-order "$root/docs/tools/distributed/wide.flow" 12
    case_run wide 2 rank-sums "$root/docs/tools/distributed/wide.flow" 12
done
rm -rf "$work"
