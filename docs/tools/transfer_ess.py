# The transfer table of docs/physics-checks.md: `python3 transfer_ess.py [W]` in the directory whose runs/ holds the
# run directories named there (L8-scratch-s1234, L8-from-lam7-s1234, …).
# Criterion: W-step trailing mean of the batch ESS (metrics.csv, batch 64). Target = the from-scratch
# run's mean over its last W steps (2401-2500). Steps to reach = first step t >= W whose trailing mean >= target.
import csv
import sys
W = int(sys.argv[1]) if len(sys.argv) > 1 else 100
def ess(run):
    return [float(r['ess']) for r in csv.DictReader(open(f'runs/{run}/metrics.csv'))]
def trailing(e):
    return [sum(e[t-W:t]) / W for t in range(W, len(e) + 1)]  # index i -> step i+W
def reach(e, target):
    for i, m in enumerate(trailing(e)):
        if m >= target: return i + W
    return None
for label, scratch, transfer in [('L8 lambda7->8', 'L8-scratch', 'L8-from-lam7'), ('L8->L16', 'L16-scratch', 'L16-from-L8')]:
    for seed in (1234, 7):
        s, t = ess(f'{scratch}-s{seed}'), ess(f'{transfer}-s{seed}')
        target = sum(s[-W:]) / W
        rs, rt = reach(s, target), reach(t, target)
        print(f"{label} seed {seed}: scratch final ESS(mean last {W}) {target:.3f}, scratch reaches at {rs}, "
              f"transfer reaches at {rt}, steps saved {None if rt is None else rs - rt}; "
              f"first-100 mean ESS scratch {sum(s[:W])/W:.3f} transfer {sum(t[:W])/W:.3f}; transfer last-100 {sum(t[-W:])/W:.3f}; "
              f"first loss scratch {float(list(csv.DictReader(open(f'runs/{scratch}-s{seed}/metrics.csv')))[0]['loss']):.1f} "
              f"transfer {float(list(csv.DictReader(open(f'runs/{transfer}-s{seed}/metrics.csv')))[0]['loss']):.1f}")
