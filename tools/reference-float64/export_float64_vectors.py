"""The PyTorch reference's notebook model evaluated in float64.

The shared reference (../shared/bench/ref-pytorch/reference_L8_tutorial_seed0.json) holds the
trained weights and test vectors z -> (phi, log|det J|, log q, S) computed in float32, so no
implementation can be checked against it closer than float32 rounding. Its weights and z are
float32 numbers, which float64 represents exactly; this script runs the reference's own model
(flow.py, unchanged) on them in float64 and writes the float64 vectors, so that our float64
pipeline can be held to float64 accuracy (TutorialModelTest).

    python3 tools/reference-float64/export_float64_vectors.py ../shared/bench/ref-pytorch \
        runtime/engine/src/test/resources/reference_L8_tutorial_seed0_float64.json
"""
import json
import sys

import torch


def main(reference_folder, out_path):
    sys.path.insert(0, reference_folder)
    import flow as reference  # the shared reference's model, not a copy

    torch.set_default_dtype(torch.float64)
    with open(f"{reference_folder}/reference_L8_tutorial_seed0.json") as fh:
        doc = json.load(fh)
    size = doc["L"]
    model = reference.Flow(size, n_layers=len(doc["layers"]))
    with torch.no_grad():
        for layer, saved in zip(model.layers, doc["layers"]):
            convs = [m for m in layer.net if isinstance(m, torch.nn.Conv2d)]
            for conv, weights in zip(convs, saved["convs"]):
                conv.weight.copy_(torch.tensor(weights["weight"], dtype=torch.float64))
                conv.bias.copy_(torch.tensor(weights["bias"], dtype=torch.float64))
            if layer.frozen.tolist() != saved["frozen_mask"]:
                raise SystemExit("the reference's masks differ from flow.py's checkerboards")
        model = model.double()
        action = reference.Phi4Action(doc["action"]["m2"], doc["action"]["lam"], doc["action"]["form"])
        z = torch.tensor(doc["test"]["z"], dtype=torch.float64)
        phi, logdet = model(z)
        logq = reference.prior_log_prob(z) - logdet
        S = action(phi)
    out = {
        "description": "reference_L8_tutorial_seed0.json's model, weights and z evaluated in float64 by flow.py "
                       "(torch " + torch.__version__ + "); see tools/reference-float64/export_float64_vectors.py",
        "test": {"z": z.tolist(), "phi": phi.tolist(), "logdet": logdet.tolist(), "logq": logq.tolist(), "S": S.tolist()},
    }
    with open(out_path, "w") as fh:
        json.dump(out, fh)
    worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(logdet.tolist(), doc["test"]["logdet"]))
    print(f"wrote {out_path}; float64 vs the float32 reference: largest relative log|det J| difference {worst:.2e}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
