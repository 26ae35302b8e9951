#!/usr/bin/env python3
"""Projected efficiency of data-parallel training at N ranks (docs/distributed.md), from numbers
measured on 2 ranks of this machine: the compute of one block on one thread (run.sh, one process),
and the cost per value of the collectives (MpiAllreduceTiming, 10^6 doubles).

Model (weak scaling: every rank keeps `blocks` blocks of 32 configurations, so the global batch grows
with N). A step's compute is blocks * t_block on every rank. Communication:
  block-order: every rank receives the (N-1)*blocks rows of the others and adds all N*blocks rows;
               at 2 ranks with one block each this measured `block_sum_ns` per value of a row, which
               covers receiving one row and adding two, so N*blocks rows cost about
               (N-1)*blocks * block_sum_ns per value;
  rank-sums:   a ring allreduce moves 2(N-1)/N of the row per rank (2 ranks: 1 row, `allreduce_ns`
               per value), then a broadcast of one row (pipelined: about one row's copy,
               `broadcast_ns` per value); plus the latency of 2(N-1) + log2 N messages.
Efficiency = compute / (compute + communication). Waiting for slower ranks is not modelled.
"""
import math
import sys

ALLREDUCE_NS = 5.15      # per double, 2 ranks, 10^6 values (MpiAllreduceTiming, this session)
BLOCK_SUM_NS = 15.1      # per double of a row, 2 ranks, one block a rank, 10^6 values
BROADCAST_NS = 2.6       # per double: about the copies in and out of native memory of one row
LATENCY_S = 1e-6         # one small message between ranks (0.8 us measured on shared memory)

MODELS = {
    # name: (values in a block's row = parameters + 4 + one flag per parameter tensor, seconds of one block on one thread)
    "Q1 (12 960 parameters)": (12960 + 4 + 96, 0.0140 / 2),
    "wide (958 752 parameters)": (958752 + 4 + 96, 0.681 / 2),
}


def communication(reduction, ranks, blocks, row):
    if reduction == "block-order":
        return (ranks - 1) * blocks * row * BLOCK_SUM_NS * 1e-9 + (ranks - 1) * LATENCY_S
    return (2 * (ranks - 1) / ranks * row * ALLREDUCE_NS + row * BROADCAST_NS) * 1e-9 \
        + (2 * (ranks - 1) + math.log2(ranks)) * LATENCY_S


def main():
    ranks = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    blocks = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(f"{ranks} ranks, {blocks} blocks of 32 configurations per rank (global batch {ranks * blocks * 32})")
    for name, (row, t_block) in MODELS.items():
        compute = blocks * t_block
        for reduction in ("block-order", "rank-sums"):
            comm = communication(reduction, ranks, blocks, row)
            print(f"  {name:28s} {reduction:11s} compute {1e3 * compute:8.1f} ms  communication {1e3 * comm:8.1f} ms"
                  f"  efficiency {compute / (compute + comm):5.1%}")


if __name__ == "__main__":
    main()
