#!/usr/bin/env bash
# Issue 20's SU(3) runs (docs/physics-checks.md, "Gradient flows"): for each β, Lüscher's
# leading-order map untrained at 16×16, and model A′ trained at 8×8, carried to 16×16 by a few
# steps of `train --from`, and sampled there. Usage: docs/tools/gradient_flow/run.sh OUT BETA…
set -euo pipefail
out=$1; shift
here=$(dirname "$0")
eq=$(dirname "$0")/../../../bin/equiflow
for beta in "$@"; do
    "$eq" sample "$here/su3_16.flow" --set G.beta=$beta --untrained --out "$out/lo-$beta" --no-progress
    "$eq" train "$here/su3_model_a.flow" --set G.beta=$beta --set 'G.lattice=[8,8]' --out "$out/a8-$beta" --no-progress
    "$eq" train "$here/su3_model_a.flow" --set G.beta=$beta --from "$out/a8-$beta" --steps 10 --batch 16 --out "$out/a16-$beta" --no-progress
    "$eq" sample "$here/su3_model_a.flow" --set G.beta=$beta --out "$out/a16-$beta" --no-progress
done
