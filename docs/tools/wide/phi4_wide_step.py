"""Times one training step of the tutorial's φ⁴ flow with wider conditioners in PyTorch, for issue 19's
wide cases side by side with `equiflow bench --script docs/tools/wide/phi4_cnnH.flow --cases train`.

The model is the reference's own (../shared/bench/ref-pytorch/flow.py, imported unchanged): 16 affine
couplings with checkerboard masks, CNN conditioners (3×3 circular convolutions, LeakyReLU, tanh on the
output) of the hidden widths given here, the tutorial's action (m² = −4, λ = 8), a N(0, 1) prior, reverse
KL, Adam 1e-3, float32. One step: flow.sample(batch), loss = mean(log q + S), zero_grad, backward, step.
Warm-up, then every step timed by wall clock; prints the median, quartiles and fastest step.

Usage: /usr/bin/python3 phi4_wide_step.py --ref-dir ../shared/bench/ref-pytorch --hidden 32 32 --L 8 --batch 64 1024 --threads 2
"""
import argparse
import statistics
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ref-dir", required=True, help="the folder with the reference's flow.py")
    p.add_argument("--hidden", type=int, nargs="+", default=[32, 32])
    p.add_argument("--L", type=int, default=8)
    p.add_argument("--batch", type=int, nargs="+", default=[64, 1024])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup-time", type=float, default=5.0)
    p.add_argument("--min-time", type=float, default=5.0)
    p.add_argument("--min-iters", type=int, default=5)
    args = p.parse_args()

    sys.path.insert(0, args.ref_dir)
    import torch
    from flow import Flow, Phi4Action

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, hidden {args.hidden}", flush=True)
    for batch in args.batch:
        flow = Flow(args.L, n_layers=16, hidden=tuple(args.hidden), kernel=3)
        action = Phi4Action(-4.0, 8.0)
        opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
        parameters = sum(t.numel() for t in flow.parameters())

        def step():
            phi, logq = flow.sample(batch)
            loss = (logq + action(phi)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            return float(loss)

        start = time.perf_counter()
        while time.perf_counter() - start < args.warmup_time:
            step()
        times = []
        start = time.perf_counter()
        while len(times) < args.min_iters or time.perf_counter() - start < args.min_time:
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        times.sort()
        q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
        print(f"pytorch train L={args.L} B={batch} hidden={args.hidden} ({parameters} parameters): "
              f"median {1e3 * statistics.median(times):.2f} ms/step (iqr {1e3 * q[0]:.2f}–{1e3 * q[2]:.2f}, "
              f"min {1e3 * times[0]:.2f}, n={len(times)})", flush=True)


if __name__ == "__main__":
    main()
