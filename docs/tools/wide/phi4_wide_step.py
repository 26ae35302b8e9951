"""Times one training step of the tutorial's φ⁴ flow with wider conditioners in PyTorch, for issue 19's
wide cases side by side with `equiflow bench --script docs/tools/wide/phi4_cnnH.flow --cases train`.

The model is the reference's own (../shared/bench/ref-pytorch/flow.py, imported unchanged): 16 affine
couplings with checkerboard masks, CNN conditioners (3×3 circular convolutions, LeakyReLU, tanh on the
output) of the hidden widths given here, the tutorial's action (m² = −4, λ = 8), a N(0, 1) prior, reverse
KL, Adam 1e-3, float32. One step: flow.sample(batch), loss = mean(log q + S), zero_grad, backward, step.
Warm-up, then every step timed by wall clock; prints the median, quartiles and fastest step.

With --coupling spline the affine couplings are replaced by equiflow's rational-quadratic spline couplings
(docs/tools/wide/phi4_spline32.flow; SplineLayer.java, RationalQuadraticSpline.java), parameterised exactly as
there: per site the conditioner (no output activation) gives 3K − 1 channels,
  [0, K)        bin widths  2B·(m + (1 − K·m)·softmax),        m = 1e-3,
  [K, 2K)       bin heights, the same map,
  [2K, 3K − 1)  interior knot slopes δ = 1e-3 + softplus(p + c), c = log(expm1(1 − 1e-3)) (p = 0: δ = 1),
end slopes 1, identity outside (−B, B); y = frozen·x + active·spline(x), log-det = Σ_active log spline′(x).
As usual in PyTorch the spline runs on every site and the mask picks the active ones (equiflow evaluates
the active sites only). --selftest checks that model in float64 at L = 4: the log-det against the
autograd Jacobian's, and the identity for zero parameters.

Usage: /usr/bin/python3 phi4_wide_step.py --ref-dir ../shared/bench/ref-pytorch --hidden 32 32 --L 8 --batch 64 1024 --threads 2
       /usr/bin/python3 phi4_wide_step.py --ref-dir ../shared/bench/ref-pytorch --coupling spline --bins 8 --bound 4 [--selftest]
"""
import math
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
    p.add_argument("--coupling", choices=["affine", "spline"], default="affine")
    p.add_argument("--bins", type=int, default=8)
    p.add_argument("--bound", type=float, default=4.0)
    p.add_argument("--selftest", action="store_true", help="float64 checks of the spline model instead of timings")
    args = p.parse_args()

    sys.path.insert(0, args.ref_dir)
    import torch
    import flow as ref
    from flow import Flow, Phi4Action

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.selftest:
        selftest(torch, ref, args)
        return

    def make_flow():
        if args.coupling == "affine":
            return Flow(args.L, n_layers=16, hidden=tuple(args.hidden), kernel=3)
        return spline_flow(torch, ref, args.L, 16, tuple(args.hidden), args.bins, args.bound)

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, hidden {args.hidden}, coupling {args.coupling}", flush=True)
    for batch in args.batch:
        flow = make_flow()
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
        print(f"pytorch train {args.coupling} L={args.L} B={batch} hidden={args.hidden} ({parameters} parameters): "
              f"median {1e3 * statistics.median(times):.2f} ms/step (iqr {1e3 * q[0]:.2f}–{1e3 * q[2]:.2f}, "
              f"min {1e3 * times[0]:.2f}, n={len(times)})", flush=True)


MIN_BIN = 1e-3
MIN_DERIVATIVE = 1e-3
DERIVATIVE_SHIFT = math.log(math.expm1(1 - MIN_DERIVATIVE))


def rq_spline(torch, x, p, K, B):
    """y and log dy/dx of equiflow's spline with unit end slopes on (−B, B), identity outside: x [N, 1, L, L], p [N, 3K−1, L, L]."""
    from u1_spline_step import in_bins  # the bin evaluation both wide drivers share (this script's folder is on sys.path)
    F = torch.nn.functional
    scale = 1 - K * MIN_BIN
    w = 2 * B * (MIN_BIN + scale * torch.softmax(p[:, :K], dim=1))
    h = 2 * B * (MIN_BIN + scale * torch.softmax(p[:, K:2 * K], dim=1))
    start = torch.full_like(w[:, :1], -B)
    xk = torch.cat([start, -B + torch.cumsum(w[:, :-1], dim=1)], dim=1)
    yk = torch.cat([start, -B + torch.cumsum(h[:, :-1], dim=1)], dim=1)
    ones = torch.ones_like(w[:, :1])
    d = torch.cat([ones, MIN_DERIVATIVE + F.softplus(p[:, 2 * K:3 * K - 1] + DERIVATIVE_SHIFT), ones], dim=1)
    inside = (x > -B) & (x < B)
    # evaluated at 0 outside (−B, B), where the identity tails replace it
    y, logd = in_bins(torch, torch.where(inside, x, torch.zeros_like(x)), xk, w, yk, h, d)
    return torch.where(inside, y, x), torch.where(inside, logd, torch.zeros_like(logd))


def spline_flow(torch, ref, L, n_layers, hidden, bins, bound):
    """The reference's Flow with spline couplings in place of its affine ones (its sample() and forward() unchanged)."""
    nn = torch.nn

    class SplineCoupling(nn.Module):
        def __init__(self, parity):
            super().__init__()
            frozen = ref.checker_frozen_mask(L, parity)
            self.register_buffer("frozen", frozen)
            self.register_buffer("active", 1.0 - frozen)
            self.net = ref.make_conv_net(1, hidden, 3 * bins - 1, 3, final_tanh=False)

        def forward(self, x):
            x_frozen = self.frozen * x
            params = self.net(x_frozen.unsqueeze(1))
            y, logd = rq_spline(torch, x.unsqueeze(1), params, bins, bound)
            return x_frozen + self.active * y[:, 0], (self.active * logd[:, 0]).sum(dim=(1, 2))

    flow = ref.Flow(L, n_layers=n_layers, hidden=(1,), kernel=3)
    flow.layers = nn.ModuleList([SplineCoupling(i % 2) for i in range(n_layers)])
    return flow


def selftest(torch, ref, args):
    """float64: the spline flow's log-det against the autograd Jacobian's at L = 4, and zero parameters give the identity."""
    torch.set_default_dtype(torch.float64)
    L = 4
    flow = spline_flow(torch, ref, L, 4, (8,), args.bins, args.bound)
    with torch.no_grad():
        for q in flow.parameters():
            q.mul_(1.5)
    z = 1.5 * torch.randn(1, L, L)
    _, log_det = flow(z)
    jacobian = torch.autograd.functional.jacobian(lambda v: flow(v.view(1, L, L))[0].reshape(-1), z.reshape(-1))
    sign, logabs = torch.linalg.slogdet(jacobian)
    error = abs(float(logabs) - float(log_det[0]))
    print(f"log-det {float(log_det[0]):.12f} vs autograd {float(logabs):.12f} (sign {float(sign):+.0f}): |diff| {error:.2e}")
    assert sign > 0 and error < 1e-9 * max(1.0, abs(float(logabs))), "log-det mismatch"
    p = torch.zeros(1, 3 * args.bins - 1, L, L)
    x = torch.linspace(-1.5 * args.bound, 1.5 * args.bound, L * L).view(1, 1, L, L)
    y, logd = rq_spline(torch, x, p, args.bins, args.bound)
    identity = float((y - x).abs().max()), float(logd.abs().max())
    print(f"zero parameters: max |y − x| {identity[0]:.2e}, max |log y′| {identity[1]:.2e}")
    assert identity[0] < 1e-12 and identity[1] < 1e-12, "zero parameters are not the identity"
    print("selftest ok")


if __name__ == "__main__":
    main()
