#!/usr/bin/env python3
"""Generate numpy reference fixtures for the TypeScript RNG and wiring ports.

DEVELOPER TOOL. CI does not run it; the JSON it writes is committed. It needs numpy
(any version >= 1.17; the committed files were made with numpy 2.4.6) and nothing
else: no torch, no ncps.

    python3 tools/gen_wiring_fixtures.py

Writes
  test/fixtures/rng-numpy.json      raw MT19937 / PCG64 streams and the sampling calls
                                    (permutation, randint, choice, integers) ncps uses
  test/fixtures/wirings-numpy.json  NCP, AutoNCP, FullyConnected and Random wirings

Why a re-implementation: the wirings here are ncps's algorithms (ncps/wirings/wirings.py,
1.0.1) rewritten in a few lines of Python, but every random number comes from the REAL
numpy RandomState / default_rng. The TypeScript port re-implements the RNGs, so agreement
is an independent check of both the RNG port and the draw order. The two wirings in
ncps-golden.json (produced by real ncps) tie this script to ncps itself.

Matrices are packed as one string per matrix, row-major, one character per entry:
'+' = +1, '-' = -1, '0' = none.
"""

import json
import os
import random

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")


def pack(matrix):
    return "".join({1: "+", -1: "-", 0: "0"}[int(v)] for v in np.asarray(matrix).ravel())


# ---------------------------------------------------------------------------------------
# Wirings (ncps's algorithms, numpy's RNGs)
# ---------------------------------------------------------------------------------------

def ncp_build(inter_n, command_n, motor_n, sensory_fanout, inter_fanout, recurrent, motor_fanin,
              seed, input_dim):
    if motor_fanin > command_n or sensory_fanout > inter_n or inter_fanout > command_n:
        raise ValueError("invalid NCP fan-in/fan-out")
    rng = np.random.RandomState(seed)
    units = inter_n + command_n + motor_n
    motor = list(range(0, motor_n))
    command = list(range(motor_n, motor_n + command_n))
    inter = list(range(motor_n + command_n, units))
    sensory = list(range(input_dim))
    adj = np.zeros([units, units], dtype=np.int32)
    sens = np.zeros([input_dim, units], dtype=np.int32)

    # 1. sensory -> inter
    unreachable = list(inter)
    for src in sensory:
        for dest in rng.choice(inter, size=sensory_fanout, replace=False):
            if dest in unreachable:
                unreachable.remove(dest)
            sens[src, dest] = rng.choice([-1, 1])
    fanin = np.clip(int(input_dim * sensory_fanout / inter_n), 1, input_dim)
    for dest in unreachable:
        for src in rng.choice(sensory, size=fanin, replace=False):
            sens[src, dest] = rng.choice([-1, 1])

    # 2. inter -> command
    unreachable = list(command)
    for src in inter:
        for dest in rng.choice(command, size=inter_fanout, replace=False):
            if dest in unreachable:
                unreachable.remove(dest)
            adj[src, dest] = rng.choice([-1, 1])
    fanin = np.clip(int(inter_n * inter_fanout / command_n), 1, command_n)
    for dest in unreachable:
        for src in rng.choice(inter, size=fanin, replace=False):
            adj[src, dest] = rng.choice([-1, 1])

    # 3. recurrent command synapses
    for _ in range(recurrent):
        src = rng.choice(command)
        dest = rng.choice(command)
        adj[src, dest] = rng.choice([-1, 1])

    # 4. command -> motor
    unreachable = list(command)
    for dest in motor:
        for src in rng.choice(command, size=motor_fanin, replace=False):
            if src in unreachable:
                unreachable.remove(src)
            adj[src, dest] = rng.choice([-1, 1])
    fanout = np.clip(int(motor_n * motor_fanin / command_n), 1, motor_n)
    for src in unreachable:
        for dest in rng.choice(motor, size=fanout, replace=False):
            adj[src, dest] = rng.choice([-1, 1])

    return {"units": units, "layers": [inter, command, motor], "adj": adj, "sens": sens}


def autoncp_sizes(units, output_size, sparsity_level):
    if output_size >= units - 2:
        raise ValueError("output_size must be less than units-2")
    if sparsity_level < 0.1 or sparsity_level > 1.0:
        raise ValueError("sparsity level out of range")
    density_level = 1.0 - sparsity_level
    inter_and_command = units - output_size
    command = max(int(0.4 * inter_and_command), 1)
    inter = inter_and_command - command
    sensory_fanout = max(int(inter * density_level), 1)
    inter_fanout = max(int(command * density_level), 1)
    recurrent = max(int(command * density_level * 2), 1)
    motor_fanin = max(int(command * density_level), 1)
    return [inter, command, output_size, sensory_fanout, inter_fanout, recurrent, motor_fanin]


def fully_connected(units, erev_init_seed, self_connections, input_dim):
    rng = np.random.default_rng(erev_init_seed)
    adj = np.zeros([units, units], dtype=np.int32)
    for src in range(units):
        for dest in range(units):
            if src == dest and not self_connections:
                continue
            adj[src, dest] = rng.choice([-1, 1, 1])
    sens = np.zeros([input_dim, units], dtype=np.int32)
    for src in range(input_dim):
        for dest in range(units):
            sens[src, dest] = rng.choice([-1, 1, 1])
    return adj, sens


def random_wiring(units, sparsity_level, random_seed, input_dim):
    rng = np.random.default_rng(random_seed)
    adj = np.zeros([units, units], dtype=np.int32)
    n = int(np.round(units * units * (1 - sparsity_level)))
    pairs = [(s, d) for s in range(units) for d in range(units)]
    for src, dest in rng.choice(pairs, size=n, replace=False):
        adj[src, dest] = rng.choice([-1, 1, 1])
    sens = np.zeros([input_dim, units], dtype=np.int32)
    n = int(np.round(input_dim * units * (1 - sparsity_level)))
    pairs = [(s, d) for s in range(input_dim) for d in range(units)]
    for src, dest in rng.choice(pairs, size=n, replace=False):
        sens[src, dest] = rng.choice([-1, 1, 1])
        sens[src, dest] = rng.choice([-1, 1, 1])  # ncps draws twice; the second wins
    return adj, sens


def wiring_case(params, units, input_dim, built):
    adj, sens = built
    return {
        **params,
        "units": units,
        "input_dim": input_dim,
        "synapse_count": int(np.abs(adj).sum()),
        "sensory_synapse_count": int(np.abs(sens).sum()),
        "adjacency": pack(adj),
        "sensory": pack(sens),
    }


def gen_ncp_cases(pick):
    seeds = [0, 1, 7, 22222, 20190120, 2**31, 2**32 - 1]
    cases = []
    for k in range(90):
        inter = pick.randint(1, 20)
        command = pick.randint(1, 12)
        motor = pick.randint(1, 8)
        args = [inter, command, motor, pick.randint(1, inter), pick.randint(1, command),
                pick.randint(0, 3 * command), pick.randint(1, command),
                seeds[k % len(seeds)] if k % 3 else pick.randint(0, 2**32 - 1)]
        input_dim = [1, 2, 3, 5, 8, 16, 32, 64][k % 8] if k % 4 else pick.randint(1, 64)
        w = ncp_build(*args, input_dim)
        cases.append(wiring_case({"args": args, "layers": w["layers"]}, w["units"], input_dim,
                                 (w["adj"], w["sens"])))
    return cases


def gen_autoncp_cases(pick):
    sparsities = [0.1, 0.15, 0.2, 0.25, 0.3, 0.333, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.99, 1.0]
    grid = [(8, 1), (16, 1), (19, 1), (28, 4), (32, 8), (64, 2), (5, 2), (4, 1), (12, 3),
            (20, 5), (24, 6), (40, 7), (50, 8), (100, 3), (10, 7), (11, 8)]
    cases = []
    k = 0
    for units, out in grid:
        for sparsity in sparsities[k % 4::3]:
            seed = [22222, 0, 1, 31337, 2**32 - 1][k % 5]
            input_dim = [1, 2, 4, 7, 8, 13, 32, 64][k % 8]
            sizes = autoncp_sizes(units, out, sparsity)
            w = ncp_build(*sizes, seed, input_dim)
            cases.append(wiring_case({"args": [units, out, sparsity, seed], "sizes": sizes,
                                      "layers": w["layers"]}, units, input_dim, (w["adj"], w["sens"])))
            k += 1
    # The sizing table of ncps-spec.md §6.5, and edge values of the float arithmetic.
    for units, out, sparsity in [(19, 1, 0.5), (19, 1, 0.3), (19, 1, 0.75), (19, 1, 0.9),
                                 (64, 2, 0.5), (13, 10, 1.0), (13, 10, 0.1)]:
        input_dim = pick.randint(1, 64)
        sizes = autoncp_sizes(units, out, sparsity)
        w = ncp_build(*sizes, 22222, input_dim)
        cases.append(wiring_case({"args": [units, out, sparsity, 22222], "sizes": sizes,
                                  "layers": w["layers"]}, units, input_dim, (w["adj"], w["sens"])))
    return cases


def gen_autoncp_errors():
    bad = []
    for units, out, sparsity in [(19, 17, 0.5), (19, 18, 0.5), (19, 30, 0.5), (3, 1, 0.5),
                                 (4, 2, 0.5), (19, 1, 0.0), (19, 1, 0.09), (19, 1, 1.01),
                                 (19, 1, -0.5), (19, 1, 2.0)]:
        try:
            autoncp_sizes(units, out, sparsity)
        except ValueError as e:
            bad.append({"args": [units, out, sparsity], "error": str(e)})
            continue
        raise AssertionError(f"expected an error for {units, out, sparsity}")
    return bad


def gen_fully_connected_cases():
    cases = []
    for units, out, seed, self_conn, input_dim in [
        (1, None, 1111, True, 1), (2, 1, 1111, True, 3), (5, 2, 1111, False, 4),
        (8, None, 0, True, 8), (8, 3, 1, False, 2), (16, 4, 22222, True, 5),
        (19, 1, 1111, True, 32), (32, 8, 2**32 - 1, False, 16), (3, 1, 2**32, True, 2),
        (7, 7, 2**40 + 3, True, 7), (10, 2, 2**53 - 1, False, 10), (12, 12, 123456789, True, 1),
        (24, 2, 5, True, 64), (4, 4, 99, False, 64),
    ]:
        params = {"args": [units, out, seed, self_conn]}
        cases.append(wiring_case(params, units, input_dim,
                                 fully_connected(units, seed, self_conn, input_dim)))
    return cases


def gen_random_cases():
    cases = []
    for units, out, sparsity, seed, input_dim in [
        (1, None, 0.0, 1111, 1), (4, 2, 0.5, 1111, 3), (8, None, 0.0, 0, 2), (8, 3, 0.9, 1, 8),
        (10, 1, 0.25, 22222, 5), (16, 4, 0.75, 7, 4), (19, 1, 0.5, 1111, 32),
        (20, 2, 0.125, 2**33, 16),   # 20·20·0.875 = 350 exactly
        (6, 2, 0.625, 3, 4),         # 36·0.375 = 13.5: np.round ties to even -> 14
        (5, 1, 0.5, 11, 3),          # 25·0.5 = 12.5 -> 12 (Math.round would give 13); 7.5 -> 8
        (10, 2, 0.95, 9, 1),         # 100·0.05 = 5.000000000000004
        (101, 5, 0.5, 42, 2),        # 10201 pairs > 10000 and size > pop/50: tail shuffle
        (110, 3, 0.99, 43, 100),     # 12100 pairs, 121 chosen <= pop/50: Floyd; sensory 11000
        (105, 1, 0.0, 44, 3),        # all 11025 pairs: tail shuffle down to index 1
    ]:
        params = {"args": [units, out, sparsity, seed]}
        cases.append(wiring_case(params, units, input_dim,
                                 random_wiring(units, sparsity, seed, input_dim)))
    return cases


# ---------------------------------------------------------------------------------------
# RNG streams
# ---------------------------------------------------------------------------------------

def mt_next_raw(rs):
    return int(rs._bit_generator.random_raw())


def gen_rng():
    out = {"numpy": np.__version__}
    # Check that RandomState(seed) is the legacy init_genrand stream (published MT19937 values).
    assert list(np.random.RandomState(5489)._bit_generator.random_raw(3)) == [3499211612, 581869302, 3890346734]

    out["mt_raw"] = [{"seed": s, "raw": [int(v) for v in np.random.RandomState(s)._bit_generator.random_raw(n)]}
                     for s, n in [(5489, 1300), (22222, 1300), (0, 30), (1, 30), (12345, 30), (2**32 - 1, 30)]]
    perms, randints, choices, picks, with_repl = [], [], [], [], []
    for seed in [0, 1, 5489, 22222, 2**32 - 1]:
        for n in [0, 1, 2, 3, 5, 10, 17, 64, 257]:
            rs = np.random.RandomState(seed)
            p = rs.permutation(n)
            perms.append({"seed": seed, "n": n, "perm": [int(v) for v in p], "next": mt_next_raw(rs)})
        for low, high in [(0, 1), (5, 6), (0, 2), (0, 3), (0, 7), (-3, 10), (0, 1000), (0, 2**31 + 1),
                          (0, 2**32)]:
            rs = np.random.RandomState(seed)
            vals = [int(rs.randint(low, high)) for _ in range(25)]
            randints.append({"seed": seed, "low": low, "high": high, "values": vals, "next": mt_next_raw(rs)})
        for n, size in [(1, 0), (1, 1), (2, 1), (3, 2), (6, 6), (12, 6), (12, 1), (7, 0), (20, 4)]:
            rs = np.random.RandomState(seed)
            pool = list(range(100, 100 + n))
            got = [int(v) for v in rs.choice(pool, size=size, replace=False)]
            got2 = [int(v) for v in rs.choice(pool, size=size, replace=False)]
            choices.append({"seed": seed, "n": n, "size": size, "first": got, "second": got2,
                            "next": mt_next_raw(rs)})
        for n in [1, 2, 3, 7]:
            rs = np.random.RandomState(seed)
            pool = list(range(-n, 0))
            picks.append({"seed": seed, "n": n, "values": [int(rs.choice(pool)) for _ in range(25)],
                          "next": mt_next_raw(rs)})
        rs = np.random.RandomState(seed)
        with_repl.append({"seed": seed, "n": 5, "size": 12,
                          "values": [int(v) for v in rs.choice(list(range(5)), size=12, replace=True)],
                          "next": mt_next_raw(rs)})
    out.update(mt_permutation=perms, mt_randint=randints, mt_choice=choices, mt_choice_one=picks,
               mt_choice_replace=with_repl)

    pcg_seeds = [0, 1, 1111, 22222, 2**32 - 1, 2**32, 2**40 + 3, 2**53 - 1, 2**64 + 17, 2**130 + 5]
    out["seed_sequence"] = [{"seed": str(s), "state": [int(v) for v in np.random.SeedSequence(s).generate_state(8)]}
                            for s in pcg_seeds]
    raws = []
    for s in pcg_seeds:
        bg = np.random.default_rng(s).bit_generator
        vals = [str(int(v)) for v in bg.random_raw(1000)]
        raws.append({"seed": str(s), "first": vals[:12], "v1000": vals[999]})
    out["pcg_raw"] = raws

    ints, c3, no_repl = [], [], []
    for s in [0, 1, 1111, 22222, 2**32 + 1]:
        for low, high in [(0, 1), (0, 2), (0, 3), (0, 7), (-5, 5), (0, 1000), (0, 2**31 + 1), (0, 2**32)]:
            g = np.random.default_rng(s)
            vals = [int(g.integers(low, high)) for _ in range(25)]
            ints.append({"seed": str(s), "low": low, "high": high, "values": vals,
                         "next": int(g.integers(0, 2**32))})
        g = np.random.default_rng(s)
        c3.append({"seed": str(s), "values": [int(g.choice([-1, 1, 1])) for _ in range(200)]})
        for n, size in [(0, 0), (1, 0), (1, 1), (2, 1), (5, 5), (10, 3), (100, 100), (400, 37),
                        (20000, 300), (20000, 401), (12000, 1000), (10001, 10001)]:
            g = np.random.default_rng(s)
            got = [int(v) for v in g.choice(n, size=size, replace=False)] if n else []
            no_repl.append({"seed": str(s), "n": n, "size": size, "values": got,
                            "next": int(g.integers(0, 2**32))})
    out.update(pcg_integers=ints, pcg_choice3=c3, pcg_choice=no_repl)
    return out


def check_against_ncps_golden():
    """The re-implementation must reproduce the wirings real ncps produced (ncps-golden.json)."""
    with open(os.path.join(FIXTURES, "ncps-golden.json")) as f:
        golden = json.load(f)["wirings"]
    for name, g in golden.items():
        if g["ctor"][0] == "ncp":
            w = ncp_build(*g["ctor"][1:], g["input_dim"])
        else:
            units, out, sparsity, seed = g["ctor"][1:]
            w = ncp_build(*autoncp_sizes(units, out, sparsity), seed, g["input_dim"])
        assert w["layers"] == g["layers"], name
        assert pack(w["adj"]) == pack(g["adjacency_matrix"]), name
        assert pack(w["sens"]) == pack(g["sensory_adjacency_matrix"]), name
    print(f"re-implementation matches ncps on {len(golden)} golden wirings")


def main():
    check_against_ncps_golden()
    pick = random.Random(20240814)  # only chooses configurations; all wiring draws are numpy's
    wirings = {
        "numpy": np.__version__,
        "packing": "row-major, one char per entry: '+' = 1, '-' = -1, '0' = 0",
        "ncp": gen_ncp_cases(pick),
        "autoncp": gen_autoncp_cases(pick),
        "autoncp_errors": gen_autoncp_errors(),
        "fully_connected": gen_fully_connected_cases(),
        "random": gen_random_cases(),
    }
    for name, doc in [("wirings-numpy.json", wirings), ("rng-numpy.json", gen_rng())]:
        path = os.path.join(FIXTURES, name)
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
