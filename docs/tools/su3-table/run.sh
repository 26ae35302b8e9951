#!/usr/bin/env bash
# Reproduces the 16×16 SU(3) table of docs/physics-checks.md: for β = 4, 5, 6, train and sample
# the flow of su3_16x16.flow, run HMC on the same action, and compare both with the exact answers.
# Usage: docs/tools/su3-table/run.sh [OUT] (default runs/su3-table); about an hour on 2 cores.
# EQUIFLOW names another launcher (e.g. a copy, so that rebuilding meanwhile does not disturb it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
equiflow=${EQUIFLOW:-"$here/../../../bin/equiflow"}
out=${1:-runs/su3-table}
for beta in 4 5 6; do
    "$equiflow" run "$here/su3_16x16.flow" --set G.beta=$beta --no-progress --out "$out/flow-b$beta"
    "$equiflow" hmc "$here/su3_16x16.flow" --set G.beta=$beta --no-progress --chains 8 --out "$out/hmc-b$beta"
    "$equiflow" compare "$out/flow-b$beta" "$out/hmc-b$beta" | tee "$out/compare-b$beta.md"
done
