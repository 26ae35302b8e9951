"""Times one training step of the PyTorch U(1) reference (BENCHMARKS.md §B, "U(1) Q2 model,
one training step, L=8, batch 64, one thread"), for `equiflow bench`.

The reference's train.py times whole training runs only; this driver imports its model
(flow_u1.py, from --ref-dir, unchanged) and times the step train.py runs, exactly as written
there: flow.sample(batch), logp = -S, loss = mean(logq - logp), zero_grad, backward, Adam 1e-3,
and float(loss) for the history. One measurement per (L, batch): warm-up, then every step
timed by wall clock and by the CPU time of this thread (the step's whole work at one thread).

Usage: /usr/bin/python3 u1_reference_step.py --ref-dir DIR --L 8 --batch 64 --threads 1 --out results.json
"""
import argparse
import json
import statistics
import sys
import time


def quantile(sorted_values, q):
    position = q * (len(sorted_values) - 1)
    lo, hi = int(position), min(int(position) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (position - lo) * (sorted_values[hi] - sorted_values[lo])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ref-dir", required=True, help="the folder with flow_u1.py")
    p.add_argument("--L", type=int, nargs="+", default=[8])
    p.add_argument("--batch", type=int, nargs="+", default=[64])
    p.add_argument("--beta", type=float, default=2.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--warmup-time", type=float, default=3.0)
    p.add_argument("--min-iters", type=int, default=5)
    p.add_argument("--min-time", type=float, default=3.0)
    p.add_argument("--max-iters", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    args = p.parse_args()

    sys.path.insert(0, args.ref_dir)
    import torch
    from flow_u1 import U1Action, U1Flow

    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, reference model {args.ref_dir}/flow_u1.py",
          flush=True)
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "train": {}}
    for L in args.L:
        for batch in args.batch:
            # As train.py: the Q2 model, Adam 1e-3.
            torch.manual_seed(args.seed)
            flow = U1Flow(L, n_layers=16, n_mix=2, hidden=(8, 8), kernel=3)
            act = U1Action(args.beta)
            opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
            hist = []

            def step():
                x, logq = flow.sample(batch)
                logp = -act(x)
                loss = (logq - logp).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                hist.append(float(loss))

            warm_start = time.perf_counter()
            i = 0
            while i < args.warmup or time.perf_counter() - warm_start < args.warmup_time:
                step()
                i += 1
            wall, cpu = [], []
            start = time.perf_counter()
            while len(wall) < args.max_iters and (len(wall) < args.min_iters or time.perf_counter() - start < args.min_time):
                c0 = time.thread_time()
                t0 = time.perf_counter()
                step()
                t1 = time.perf_counter()
                cpu.append(time.thread_time() - c0)
                wall.append(t1 - t0)
            wall.sort()
            cpu.sort()
            r = {"median_s": statistics.median(wall), "q25_s": quantile(wall, 0.25), "q75_s": quantile(wall, 0.75),
                 "min_s": wall[0], "cpu_median_s": statistics.median(cpu), "iters": len(wall),
                 "final_loss": hist[-1]}
            results["train"][f"L{L}_B{batch}"] = r
            print(f"U(1) train L={L:3d} B={batch:5d}: median {r['median_s'] * 1e3:8.2f} ms/step "
                  f"(iqr {r['q25_s'] * 1e3:.2f}-{r['q75_s'] * 1e3:.2f}, min {r['min_s'] * 1e3:.2f}, "
                  f"thread CPU {r['cpu_median_s'] * 1e3:.2f}, n={r['iters']})", flush=True)
    with open(args.out, "w") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
