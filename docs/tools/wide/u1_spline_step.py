"""Times one training step and one sampling batch of issue 19's wide U(1) model in PyTorch, side by side
with `equiflow bench --script docs/tools/wide/u1_spline.flow --cases train,sample --threads 2`.

The model is equiflow's (docs/tools/wide/u1_spline.flow) written in PyTorch: 2D U(1) at L = 8, β = 1,
16 gauge-equivariant plaquette couplings (arXiv:2003.06413) with the masks, plaquettes, link update
θ_μ ↦ θ_μ ± wrap(P′ − P), Haar prior and action S = −β Σ cos P of the project's reference
(../shared/bench/ref-pytorch-u1/flow_u1.py, imported: plaquettes, make_masks, U1Action,
gauge_transform), with the reference's NCP mixture replaced by equiflow's circular rational-quadratic
spline with a learned end-knot slope (`circular_spline(bins = 8, learn_end_derivative = true)`,
RationalQuadraticSpline.java and PlaquetteCouplingLayer.java), parameterised exactly as there: per
plaquette the conditioner gives 3K + 1 = 25 channels,
  [0, K)        bin widths  2π·(m + (1 − K·m)·softmax),        m = 1e-3,
  [K, 2K)       bin heights, the same map,
  [2K, 3K − 1)  interior knot slopes δ = 1e-3 + softplus(p + c), c = log(expm1(1 − 1e-3)) (p = 0: δ = 1),
  3K − 1        the slope shared by both end knots, the same map,
  3K            the rotation t;
P′ = spline(wrap(P)) + t on [−π, π) (wrap into [−π, π)), log-det = Σ_active log spline′(wrap(P)).
Conditioners: CNN 2 → 32 → 32 → 25, kernel 3, circular padding, LeakyReLU(0.01), on (cos, sin) of the
frozen plaquettes (zero angle elsewhere). As usual in PyTorch the conditioner and the spline run on every
site and the masks pick the active ones (equiflow evaluates the spline, and the conditioner's last layer,
on the active plaquettes only: the same numbers); links are not reduced mod 2π (the action only reads cos P).
PyTorch's default initialisation (equiflow's differs; the work per step does not depend on it).

Training step (what `equiflow bench` times as Trainer.step): z from the Haar prior, the flow, log q and
S, loss = mean(log q + S), zero_grad, backward, Adam 1e-3, float(loss). Sampling: a batch of 1024 under
no_grad: z, the flow, log q and S. float32, torch.set_num_threads(--threads). Warm-up, then every
iteration timed by wall clock: median, quartiles, fastest; and the median CPU time of the calling thread
(the whole work at --threads 1, as `equiflow bench` prints its "thread CPU").

--selftest runs float64 checks instead: spline inverse round trip, spline log-derivative against
autograd, the ends fixed with equal slopes (C¹ on the circle), the whole flow's log-det against the
autograd Jacobian, the inverse flow's round trip, gauge covariance of the output and gauge invariance of
log q.

--compare-run DIR checks the model against equiflow itself: it loads the weights of an equiflow run of this
script (DIR/checkpoint.eqf) and recomputes, in float64 by the inverse flow, the log weights −S − log q that
`equiflow sample` wrote for every proposal of a reweighting ensemble (DIR/ensemble.npy, float32 angles, and
DIR/ensemble_log_weights.npy), e.g. after
  sed -e 's/independence_metropolis/reweighting/' -e 's/, acceptance, ess, tau_int/, ess/' \\
      docs/tools/wide/u1_spline.flow > /tmp/x.flow
  bin/equiflow train /tmp/x.flow --out /tmp/run --steps 30 --batch 64 --lr 1e-2 --precision f64
  bin/equiflow sample /tmp/x.flow --out /tmp/run --count 512

Usage: /usr/bin/python3 docs/tools/wide/u1_spline_step.py --ref-dir ../shared/bench/ref-pytorch-u1 [--selftest | --compare-run DIR]
It re-executes itself once with jemalloc preloaded (as the φ⁴ reference's bench.py does; --alloc glibc
to keep glibc malloc).
"""
import argparse
import math
import os
import statistics
import sys
import time

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
JEMALLOC_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1"

MIN_BIN = 1e-3
MIN_DERIVATIVE = 1e-3
DERIVATIVE_SHIFT = math.log(math.expm1(1 - MIN_DERIVATIVE))
BOUND = math.pi


def in_bins(torch, x, xk, w, yk, h, d):
    """y and log dy/dx of a rational-quadratic spline at x inside its knots: left knots xk, yk, widths w,
    heights h and the K + 1 knot slopes d, all [B, ·, L, L] (shared with phi4_wide_step.py)."""
    # equiflow walks the bins: x stays in bin k unless x ≥ x_k + w_k = x_{k+1}; the last bin takes the rest.
    b = (x >= xk[:, 1:]).sum(dim=1, keepdim=True)
    x0, wb, y0, hb = (torch.gather(t, 1, b) for t in (xk, w, yk, h))
    d0, d1 = torch.gather(d, 1, b), torch.gather(d, 1, b + 1)
    s = hb / wb
    xi = (x - x0) / wb
    u = xi * (1 - xi)
    denominator = s + (d0 + d1 - 2 * s) * u
    y = y0 + hb * (s * xi * xi + d0 * u) / denominator
    logd = 2 * torch.log(s) + torch.log(d1 * xi * xi + 2 * s * u + d0 * (1 - xi) ** 2) - 2 * torch.log(denominator)
    return y, logd


def build(torch, nn, ref):
    """The model's pieces, given torch and the reference module (imported after the allocator is set)."""
    F = torch.nn.functional

    def wrap(x):
        """into [−π, π), as equiflow's WRAP_ANGLE; gradient 1."""
        return torch.remainder(x + math.pi, 2 * math.pi) - math.pi

    def knots(p, K):
        """Left knots, widths, heights and the K + 1 knot slopes from the 3K raw spline channels."""
        scale = 1 - K * MIN_BIN
        w = 2 * BOUND * (MIN_BIN + scale * torch.softmax(p[:, :K], dim=1))
        h = 2 * BOUND * (MIN_BIN + scale * torch.softmax(p[:, K:2 * K], dim=1))
        start = torch.full_like(w[:, :1], -BOUND)
        xk = torch.cat([start, -BOUND + torch.cumsum(w[:, :-1], dim=1)], dim=1)
        yk = torch.cat([start, -BOUND + torch.cumsum(h[:, :-1], dim=1)], dim=1)
        interior = MIN_DERIVATIVE + F.softplus(p[:, 2 * K:3 * K - 1] + DERIVATIVE_SHIFT)
        end = MIN_DERIVATIVE + F.softplus(p[:, 3 * K - 1:3 * K] + DERIVATIVE_SHIFT)
        d = torch.cat([end, interior, end], dim=1)
        return xk, w, yk, h, d

    def spline(x, p, K):
        """y and log dy/dx of the circular spline at x ∈ [−π, π) (x [B, 1, L, L], p [B, 3K, L, L])."""
        return in_bins(torch, x, *knots(p, K))

    def spline_inverse(y, p, K):
        """x = spline⁻¹(y), y ∈ [−π, π): equiflow's root ξ = 2γ / (−b − √(b² − 4aγ))."""
        xk, w, yk, h, d = knots(p, K)
        b = (y >= yk[:, 1:]).sum(dim=1, keepdim=True)
        x0, wb, y0, hb = (torch.gather(t, 1, b) for t in (xk, w, yk, h))
        d0, d1 = torch.gather(d, 1, b), torch.gather(d, 1, b + 1)
        s = hb / wb
        delta = y - y0
        c = d0 + d1 - 2 * s
        qa = hb * (s - d0) + delta * c
        qb = hb * d0 - delta * c
        qc = -s * delta
        xi = 2 * qc / (-qb - torch.sqrt(qb * qb - 4 * qa * qc))
        return x0 + wb * xi

    def conv_net(hidden, out_ch, kernel):
        sizes = [2, *hidden, out_ch]
        mods = []
        for i in range(len(sizes) - 1):
            mods.append(nn.Conv2d(sizes[i], sizes[i + 1], kernel, padding=kernel // 2, padding_mode="circular"))
            if i < len(sizes) - 2:
                mods.append(nn.LeakyReLU(0.01))
        return nn.Sequential(*mods)

    class SplineCoupling(nn.Module):
        def __init__(self, L, mu, off, bins, hidden, kernel):
            super().__init__()
            self.mu, self.K = mu, bins
            masks = ref.make_masks(L, mu, off)
            self.register_buffer("active", masks["active"])
            self.register_buffer("frozen", masks["frozen"])
            self.net = conv_net(hidden, 3 * bins + 1, kernel)

        def _params(self, plaq):
            x2 = self.frozen * plaq
            out = self.net(torch.stack([torch.cos(x2), torch.sin(x2)], 1))
            return out[:, :3 * self.K], out[:, 3 * self.K]

        def _move(self, links, change):
            t0, t1 = links[:, 0], links[:, 1]
            return torch.stack([t0 + change, t1] if self.mu == 0 else [t0, t1 - change], 1)

        def forward(self, links):
            plaq = ref.plaquettes(links)
            raw, t = self._params(plaq)
            y, logd = spline(wrap(plaq).unsqueeze(1), raw, self.K)
            change = self.active * wrap(y.squeeze(1) + t - plaq)
            return self._move(links, change), (self.active * logd.squeeze(1)).sum(dim=(1, 2))

        def reverse(self, links):
            plaq = ref.plaquettes(links)  # frozen plaquettes are unchanged by the layer
            raw, t = self._params(plaq)
            original = spline_inverse(wrap(plaq - t).unsqueeze(1), raw, self.K)
            _, logd = spline(original, raw, self.K)
            change = self.active * wrap(plaq - original.squeeze(1))
            return self._move(links, -change), -(self.active * logd.squeeze(1)).sum(dim=(1, 2))

    class Flow(nn.Module):
        def __init__(self, L, n_layers=16, bins=8, hidden=(32, 32), kernel=3):
            super().__init__()
            self.L = L
            self.layers = nn.ModuleList([SplineCoupling(L, i % 2, (i // 2) % 4, bins, hidden, kernel)
                                         for i in range(n_layers)])

        def forward(self, z):
            logJ = torch.zeros(z.shape[0], dtype=z.dtype)
            for layer in self.layers:
                z, lj = layer(z)
                logJ = logJ + lj
            return z, logJ

        def reverse(self, x):
            logJ = torch.zeros(x.shape[0], dtype=x.dtype)
            for layer in reversed(self.layers):
                x, lj = layer.reverse(x)
                logJ = logJ + lj
            return x, logJ

        def log_prior(self, n, dtype):
            return torch.full((n,), -2 * self.L * self.L * math.log(2 * math.pi), dtype=dtype)

        def sample(self, batch, dtype):
            z = math.pi * (2 * torch.rand(batch, 2, self.L, self.L, dtype=dtype) - 1)  # Haar: uniform in [−π, π)
            x, logJ = self(z)
            return x, self.log_prior(batch, dtype) - logJ

        def log_q(self, x):
            _, logJ = self.reverse(x)
            return self.log_prior(x.shape[0], x.dtype) + logJ

    return dict(wrap=wrap, spline=spline, spline_inverse=spline_inverse, Flow=Flow)


def selftest(torch, nn, ref, args):
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(1)
    m = build(torch, nn, ref)
    K, L = args.bins, args.L
    failures = []

    def check(name, value, tol):
        ok = value <= tol
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {value:.3e} (tolerance {tol:.0e})", flush=True)
        if not ok:
            failures.append(name)

    # The spline alone, with parameters of a trained net's size (softmax logits and slopes of order 1–2).
    n = 4096
    p = 1.5 * torch.randn(n, 3 * K, 1, 1)
    x = math.pi * (2 * torch.rand(n, 1, 1, 1) - 1)
    x[0] = -math.pi
    y, logd = m["spline"](x, p, K)
    check("spline maps [−π, π) into [−π, π]", float(torch.relu(y.abs() - math.pi).max()), 1e-12)
    check("spline inverse round trip max |x − f⁻¹(f(x))|", float((m["spline_inverse"](y, p, K) - x).abs().max()), 1e-9)
    xg = x.clone().requires_grad_(True)
    yg, _ = m["spline"](xg, p, K)
    (dy,) = torch.autograd.grad(yg.sum(), xg)
    check("spline log-derivative against autograd", float((torch.log(dy) - logd).abs().max()), 1e-9)
    xs = torch.linspace(-math.pi, math.pi, 20001).view(1, 1, 1, -1).expand(8, 1, 1, -1).contiguous()
    ys, _ = m["spline"](xs[..., :-1], p[:8].expand(-1, -1, 1, 20000), K)
    check("spline strictly increasing (most negative step)", float(torch.relu(-(ys[..., 1:] - ys[..., :-1])).max()), 0.0)
    lo, llo = m["spline"](torch.full((n, 1, 1, 1), -math.pi), p, K)
    hi, lhi = m["spline"](torch.full((n, 1, 1, 1), math.pi - 1e-12), p, K)
    check("ends fixed: |f(−π) + π| + |f(π⁻) − π|", float(((lo + math.pi).abs() + (hi - math.pi).abs()).max()), 1e-7)
    check("equal slopes at −π and π⁻ (C¹ on the circle)", float((llo - lhi).abs().max()), 1e-6)

    # The flow, with conditioner outputs scaled up so the splines are far from the identity.
    flow = m["Flow"](L, bins=K, hidden=tuple(args.hidden), kernel=3)
    with torch.no_grad():
        for prm in flow.parameters():
            prm.mul_(args.selftest_scale)
    z = math.pi * (2 * torch.rand(6, 2, L, L) - 1)
    x, logJ = flow(z)
    zb, logJr = flow.reverse(x)
    check("flow inverse round trip (angles mod 2π)", float(m["wrap"](zb - z).abs().max()), 1e-8)
    check("flow log-det: forward + reverse", float((logJ + logJr).abs().max()), 1e-8)
    jac_err = 0.0
    for b in range(2):
        J = torch.autograd.functional.jacobian(lambda v: flow(v.view(1, 2, L, L))[0].reshape(-1), z[b].reshape(-1))
        jac_err = max(jac_err, abs(float(torch.linalg.slogdet(J)[1]) - float(logJ[b])))
    check("flow log-det against the autograd Jacobian (2 configurations)", jac_err, 1e-8)
    a = 2 * math.pi * torch.rand(6, L, L)
    xg, logJg = flow(ref.gauge_transform(z, a))
    check("gauge covariance f(g·z) = g·f(z) (mod 2π)", float(m["wrap"](xg - ref.gauge_transform(x, a)).abs().max()), 1e-8)
    check("gauge invariance of the log-det along the flow", float((logJg - logJ).abs().max()), 1e-8)
    logq = flow.log_q(x)
    logq_g = flow.log_q(ref.gauge_transform(x, a))
    check("log q(x) by the inverse = log prior − log-det of the forward", float((logq - (flow.log_prior(6, x.dtype) - logJ)).abs().max()), 1e-8)
    check("gauge invariance of log q (by the inverse flow)", float((logq_g - logq).abs().max()), 1e-8)
    print("selftest " + ("passed" if not failures else "FAILED: " + ", ".join(failures)), flush=True)
    return 0 if not failures else 1


def read_checkpoint(path):
    """equiflow's checkpoint (io/Checkpoint.java, format 2): magic, u32 version, u32 H, u64 P, JSON header, then the
    parameters as float64 arrays back to back in the header's order."""
    import json
    import struct
    import numpy as np
    data = open(path, "rb").read()
    if data[:8] != b"EQFLCKPT":
        raise SystemExit(f"{path}: not an equiflow checkpoint")
    version, header_length = struct.unpack("<II", data[8:16])
    header = json.loads(data[24:24 + header_length])
    offset = 24 + header_length
    params = {}
    for entry in header["parameters"]:
        n = int(np.prod(entry["shape"]))
        params[entry["name"]] = np.frombuffer(data, dtype="<f8", count=n, offset=offset).reshape(entry["shape"])
        offset += 8 * n
    return header, params


def compare_run(torch, nn, ref, args):
    """Loads a run's weights (equiflow train ... on u1_spline.flow) into this model and recomputes, in float64 by
    the inverse flow, the log weights −S − log q of the run's reweighting ensemble (equiflow sample with
    `method reweighting`: ensemble.npy holds every proposal, ensemble_log_weights.npy their log weights)."""
    import numpy as np
    torch.set_default_dtype(torch.float64)
    header, params = read_checkpoint(os.path.join(args.compare_run, "checkpoint.eqf"))
    m = build(torch, nn, ref)
    flow = m["Flow"](args.L, bins=args.bins, hidden=tuple(args.hidden), kernel=3)
    state = {}
    for i, layer in enumerate(flow.layers):
        convs = [mod for mod in layer.net if isinstance(mod, nn.Conv2d)]
        for j, conv in enumerate(convs):
            state[f"layers.{i}.net.{2 * j}.weight"] = params[f"layer{i}.net.conv{j}.weight"]
            state[f"layers.{i}.net.{2 * j}.bias"] = params[f"layer{i}.net.conv{j}.bias"].reshape(-1)
    if len(state) != len(params):
        raise SystemExit(f"the run has {len(params)} parameter arrays, the model {len(state)}")
    with torch.no_grad():
        for name, prm in flow.named_parameters():
            prm.copy_(torch.from_numpy(np.array(state[name])))
    x = torch.from_numpy(np.load(os.path.join(args.compare_run, "ensemble.npy")).astype(np.float64))
    theirs = torch.from_numpy(np.load(os.path.join(args.compare_run, "ensemble_log_weights.npy")).astype(np.float64))
    with torch.no_grad():
        _, logdet = flow.reverse(x)
        ours = -ref.U1Action(args.beta)(x) - flow.log_prior(x.shape[0], x.dtype) - logdet
    diff = (ours - theirs).abs()
    spread = float(theirs.max() - theirs.min())
    print(f"run {args.compare_run} (dtype {header['dtype']}, step {header['training_step']}): {x.shape[0]} proposals, "
          f"log w from {float(theirs.min()):.3f} to {float(theirs.max()):.3f}, the flow's log-det (f⁻¹) mean "
          f"{float(logdet.mean()):.3f}, sd {float(logdet.std()):.3f}; |PyTorch − equiflow| median "
          f"{float(diff.median()):.2e}, max {float(diff.max()):.2e}", flush=True)
    ok = float(diff.max()) <= args.compare_tolerance
    print("comparison " + ("passed" if ok else f"FAILED (tolerance {args.compare_tolerance})"), flush=True)
    return 0 if ok else 1


def timed(fn, warmup_time, min_time, min_iters):
    start = time.perf_counter()
    while time.perf_counter() - start < warmup_time:
        fn()
    times, cpu = [], []
    start = time.perf_counter()
    while len(times) < min_iters or time.perf_counter() - start < min_time:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    times.sort()
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return statistics.median(times), q[0], q[2], times[0], len(times), statistics.median(cpu)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ref-dir", required=True, help="the folder with the reference's flow_u1.py")
    p.add_argument("--L", type=int, default=8)
    p.add_argument("--beta", type=float, default=1.0)
    p.add_argument("--bins", type=int, default=8)
    p.add_argument("--hidden", type=int, nargs="+", default=[32, 32])
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--sample-batch", type=int, default=1024)
    p.add_argument("--cases", default="train,sample")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup-time", type=float, default=5.0)
    p.add_argument("--min-time", type=float, default=5.0)
    p.add_argument("--min-iters", type=int, default=5)
    p.add_argument("--alloc", choices=["jemalloc", "glibc"], default="jemalloc")
    p.add_argument("--selftest", action="store_true", help="float64 checks of the model instead of timings")
    p.add_argument("--compare-run", metavar="RUN_DIR",
                   help="compare log weights with an equiflow run of u1_spline.flow sampled with `method reweighting`")
    p.add_argument("--compare-tolerance", type=float, default=1e-3,
                   help="largest |difference| of log w accepted (the ensemble stores float32 angles)")
    p.add_argument("--selftest-scale", type=float, default=1.5, help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.alloc == "jemalloc" and "jemalloc" not in os.environ.get("LD_PRELOAD", "") and os.path.exists(JEMALLOC):
        env = dict(os.environ, LD_PRELOAD=JEMALLOC, MALLOC_CONF=JEMALLOC_CONF)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)

    sys.path.insert(0, args.ref_dir)
    import torch
    import torch.nn as nn
    import flow_u1 as ref

    torch.set_num_threads(args.threads)
    if args.selftest:
        sys.exit(selftest(torch, nn, ref, args))
    if args.compare_run:
        sys.exit(compare_run(torch, nn, ref, args))

    alloc = "jemalloc" if "jemalloc" in os.environ.get("LD_PRELOAD", "") else "glibc"
    torch.manual_seed(0)
    m = build(torch, nn, ref)
    flow = m["Flow"](args.L, bins=args.bins, hidden=tuple(args.hidden), kernel=3)
    action = ref.U1Action(args.beta)
    opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
    parameters = sum(t.numel() for t in flow.parameters())
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {alloc}, L={args.L}, beta={args.beta}, "
          f"circular spline K={args.bins} (3K+1 outputs), hidden {args.hidden}, {parameters} parameters", flush=True)

    def step():
        x, logq = flow.sample(args.batch, torch.float32)
        loss = (logq + action(x)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss)

    def sample():
        with torch.no_grad():
            x, logq = flow.sample(args.sample_batch, torch.float32)
            s = action(x)
        return x, logq, s

    cases = args.cases.split(",")
    if "train" in cases:
        med, q1, q3, fastest, n, cpu = timed(step, args.warmup_time, args.min_time, args.min_iters)
        print(f"pytorch U(1) spline train L={args.L} B={args.batch}: median {1e3 * med:.2f} ms/step "
              f"(iqr {1e3 * q1:.2f}–{1e3 * q3:.2f}, min {1e3 * fastest:.2f}, thread CPU {1e3 * cpu:.2f}, n={n}), "
              f"loss {step():.3f}", flush=True)
    if "sample" in cases:
        med, q1, q3, fastest, n, cpu = timed(sample, args.warmup_time, args.min_time, args.min_iters)
        print(f"pytorch U(1) spline sample L={args.L} B={args.sample_batch}: median {1e3 * med:.2f} ms/batch "
              f"(iqr {1e3 * q1:.2f}–{1e3 * q3:.2f}, min {1e3 * fastest:.2f}, thread CPU {1e3 * cpu:.2f}, n={n}; "
              f"{args.sample_batch / med:.0f} configurations/s)", flush=True)


if __name__ == "__main__":
    main()
