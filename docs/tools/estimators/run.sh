#!/usr/bin/env bash
# The gradient-estimator comparison of docs/physics-checks.md ("Gradient estimators"), from the repository root:
#   docs/tools/estimators/run.sh MODEL TAG SEED LOSS:STEPS...     e.g.  docs/tools/estimators/run.sh q1 eqsteps 1 reverse_kl:2500 reinforce:2500
# MODEL: q1 (examples/phi4_tutorial.flow), q2 (examples/u1_gauge.flow, NCP: reverse_kl only, the others have no inverse),
# q2s (examples/u1_gauge.flow with circular_spline(bins = 8) in place of the NCP mixture), neumc (neumc_u1.flow).
# Each run trains with the given loss and steps, samples 8192 proposals, and appends one line to
# runs/estimators/results.csv: model|tag|loss|seed|steps|the `trained ...` line|acceptance|ESS.
set -euo pipefail
M=$1; TAG=$2; seed=$3; shift 3
here=docs/tools/estimators; work=runs/estimators; mkdir -p $work
case $M in
  q1) base=examples/phi4_tutorial.flow; edit=() ;;
  q2) base=examples/u1_gauge.flow; edit=() ;;
  q2s) base=examples/u1_gauge.flow; edit=(-e 's/ncp_mixture(components = 2)/circular_spline(bins = 8)/' -e 's/ncp_mixture}/circular_spline}/') ;;
  neumc) base=$here/neumc_u1.flow; edit=() ;;
  *) echo "unknown model $M (q1, q2, q2s, neumc)" >&2; exit 2 ;;
esac
for spec in "$@"; do
  loss=${spec%%:*}; steps=${spec##*:}
  script=$work/$M-$loss.flow
  sed "${edit[@]}" -e "s/^\(    loss  *\)reverse_kl/\1$loss/" "$base" > "$script"
  out=$work/$M-$loss-s$seed-$TAG
  rm -rf "$out"
  line=$(bin/equiflow train "$script" --seed "$seed" --steps "$steps" --no-progress --out "$out" 2>&1 | grep '^trained')
  bin/equiflow sample "$script" --count 8192 --no-progress --out "$out" >/dev/null
  acc=$(grep -m1 '"acceptance"' "$out/result/ensemble.json" | sed -E 's/.*: ([-0-9.eE]+),?/\1/')
  ess=$(grep -m1 '"ess"' "$out/result/ensemble.json" | sed -E 's/.*: ([-0-9.eE]+),?/\1/')
  echo "$M|$TAG|$loss|$seed|$steps|$line|$acc|$ess" >> $work/results.csv
done
