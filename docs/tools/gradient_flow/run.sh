#!/usr/bin/env bash
# Issue 20's SU(3) runs (docs/physics-checks.md, "Gradient flows (issue 20)"), as run on
# 2026-12-06: for each β, Lüscher's leading-order map untrained at 16×16 (4096 proposals), and
# model A′ trained at 8×8, carried to 16×16 by a few steps of `train --from`, sampled there.
# β = 4: 150 steps at 8×8, 10 of batch 16 at 16×16, 4096 proposals; β = 5, 6: 100, 5 of batch 8,
# 2048. Usage: docs/tools/gradient_flow/run.sh OUT BETA…   (needs about 10 GB of heap at 16×16)
set -euo pipefail
out=$1; shift
here=$(dirname "$0")
eq="$here/../../../bin/equiflow"
export EQUIFLOW_JAVA_OPTS=${EQUIFLOW_JAVA_OPTS:--Xmx10g}
for beta in "$@"; do
    if [[ $beta == 4.0 ]]; then steps=150; fine=10; batch=16; count=4096; else steps=100; fine=5; batch=8; count=2048; fi
    "$eq" sample "$here/su3_16.flow" --set G.beta=$beta --untrained --out "$out/lo-$beta" --count 4096 --sample-batch 128 --no-progress
    "$eq" train "$here/su3_model_a.flow" --set G.beta=$beta --set 'G.lattice=[8,8]' --steps $steps --out "$out/a8-$beta" --no-progress
    "$eq" train "$here/su3_model_a.flow" --set G.beta=$beta --from "$out/a8-$beta" --steps $fine --batch $batch --out "$out/a16-$beta" --no-progress
    "$eq" sample "$here/su3_model_a.flow" --set G.beta=$beta --out "$out/a16-$beta" --count $count --sample-batch 128 --no-progress
done
# HMC beside it (β = 4 in the table): "$eq" hmc "$here/../su3-table/su3_16x16.flow" --set G.beta=4.0 --chains 8 --out "$out/hmc-4.0"
# Lüscher's next-to-leading order untrained (the table's first row), seeds 1 and 2, and model A (the seven NLO terms,
# affine in t, 14 parameters): 100 steps of batch 32 at 8×8, carried to 16×16 by two steps of batch 8, 4096 proposals.
for beta in "$@"; do
    for seed in 1 2; do
        "$eq" sample "$here/su3_16_nlo.flow" --set G.beta=$beta --untrained --count 4096 --sample-batch 128 --sample-seed $seed --out "$out/nlo-$beta-$seed" --no-progress
    done
    "$eq" train "$here/su3_model_a_nlo.flow" --set G.beta=$beta --set 'G.lattice=[8,8]' --out "$out/a8nlo-$beta" --no-progress
    "$eq" train "$here/su3_model_a_nlo.flow" --set G.beta=$beta --from "$out/a8nlo-$beta" --steps 2 --batch 8 --out "$out/a16nlo-$beta" --no-progress
    "$eq" sample "$here/su3_model_a_nlo.flow" --set G.beta=$beta --out "$out/a16nlo-$beta" --count 4096 --sample-batch 128 --no-progress
done
# Session 18, β = 4 only: 10 steps of batch 64 at 16×16 after the 100 at 8×8 (possible since the checkpointed gradients)
# "$eq" train "$here/su3_model_a_nlo.flow" --set G.beta=4.0 --from "$out/a8nlo-4.0" --steps 10 --batch 64 --out "$out/a16b64-4.0" --no-progress
# "$eq" sample "$here/su3_model_a_nlo.flow" --set G.beta=4.0 --out "$out/a16b64-4.0" --count 4096 --sample-batch 128 --no-progress
# Session 22: model B′ (su3_model_b_nlo.flow: model A's seven terms, each coefficient a cubic spline in t through 10 knots,
# 70 parameters) at model A's budget: 100 steps of batch 32 at 8×8, two steps of batch 8 at 16×16, 4096 proposals.
for beta in "$@"; do
    "$eq" train "$here/su3_model_b_nlo.flow" --set G.beta=$beta --set 'G.lattice=[8,8]' --out "$out/b8nlo-$beta" --no-progress
    "$eq" train "$here/su3_model_b_nlo.flow" --set G.beta=$beta --from "$out/b8nlo-$beta" --steps 2 --batch 8 --out "$out/b16nlo-$beta" --no-progress
    "$eq" sample "$here/su3_model_b_nlo.flow" --set G.beta=$beta --out "$out/b16nlo-$beta" --count 4096 --sample-batch 128 --no-progress
done
