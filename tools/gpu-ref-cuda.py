#!/usr/bin/env python3
"""The PyTorch reference's training step and sampling on a CUDA device, for the GPU bundle's run.

The reference (../shared/bench/ref-pytorch: flow.py, and bench.py's model and constants) is used
unchanged; its bench.py times the CPU only, so this driver times the same two things it times:

  train:  zero_grad; phi, log q = model.sample(B); reverse-KL loss; backward; Adam step
          (milliseconds per step, as bench.py train)
  sample: phi, log q = model.sample(B) and the action S(phi), without gradients
          (configurations per second, as bench.py sample)

Every tensor is made on the chosen device (torch's default device), and each timed call ends
with torch.cuda.synchronize(), so a time is the device's, not the launch queue's.

  python3 gpu-ref-cuda.py --ref-dir ../shared/bench/ref-pytorch --device cuda --out pytorch-cuda.json
"""
import argparse
import json
import statistics
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ref-dir", required=True, help="the folder holding flow.py and bench.py")
    p.add_argument("--device", default="cuda", help="cuda (default) or cpu")
    p.add_argument("--L", type=int, nargs="+", default=[8, 16, 32])
    p.add_argument("--batch", type=int, nargs="+", default=[64, 1024])
    p.add_argument("--sample-batch", type=int, default=1024)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--min-iters", type=int, default=5)
    p.add_argument("--min-time", type=float, default=2.0)
    p.add_argument("--max-iters", type=int, default=1000)
    p.add_argument("--out", help="write the results here as JSON")
    args = p.parse_args()

    import torch
    sys.dont_write_bytecode = True  # the reference's folder stays as it is
    sys.path.insert(0, args.ref_dir)
    import flow as F
    import bench as R

    device = torch.device(args.device)
    if hasattr(torch, "set_default_device"):
        torch.set_default_device(device)
    elif device.type == "cuda":
        torch.set_default_tensor_type(torch.cuda.FloatTensor)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def timeit(fn):
        for _ in range(args.warmup):
            fn()
        sync()
        times = []
        begun = time.perf_counter()
        while len(times) < args.max_iters and (len(times) < args.min_iters or time.perf_counter() - begun < args.min_time):
            t0 = time.perf_counter()
            fn()
            sync()
            times.append(time.perf_counter() - t0)
        return {"median_s": statistics.median(times), "min_s": min(times), "iters": len(times)}

    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    results = {"device": name, "torch": torch.__version__, "train": {}, "sample": {}}
    print(f"PyTorch {torch.__version__} on {name}")
    action = F.Phi4Action(R.M2, R.LAM, "tutorial")
    for L in args.L:
        for B in args.batch:
            model = R.make_model(L).to(device)
            opt = torch.optim.Adam(model.parameters(), lr=R.LR)

            def step():
                opt.zero_grad()
                phi, logq = model.sample(B)
                loss = F.reverse_kl_loss(logq, -action(phi))
                loss.backward()
                opt.step()

            t = timeit(step)
            results["train"][f"L{L}_B{B}"] = t
            print(f"pytorch[{args.device}] train L={L:<3d} B={B:<5d} {t['median_s'] * 1e3:10.2f} ms/step (min {t['min_s'] * 1e3:.2f}, n={t['iters']})",
                  flush=True)
        model = R.make_model(L).to(device)
        B = args.sample_batch

        def sample():
            with torch.no_grad():
                phi, logq = model.sample(B)
                action(phi)

        t = timeit(sample)
        t["configs_per_s"] = B / t["median_s"]
        results["sample"][f"L{L}_B{B}"] = t
        print(f"pytorch[{args.device}] sample L={L:<3d} B={B:<5d} {t['configs_per_s']:10.0f} configs/s ({t['median_s'] * 1e3:.2f} ms/batch, n={t['iters']})",
              flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
