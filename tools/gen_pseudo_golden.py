#!/usr/bin/env python3
"""Generate pseudo-golden ncps parity cases (float64 numpy re-implementation of ncps torch).

DEVELOPER TOOL. CI does not run it; the JSON it writes is committed. It needs numpy only
(the committed file was made with numpy 2.4.6): no torch, no ncps.

    python3 tools/gen_pseudo_golden.py

Writes test/fixtures/ncps-pseudo-golden.json (read by test/ncps-pseudo-golden.test.ts).

What it is
----------
A float64 numpy re-implementation of the forward passes of ncps 1.0.1 (PyTorch bindings):
``ncps/torch/cfc.py`` (CfC wrapper), ``cfc_cell.py`` (CfCCell), ``wired_cfc_cell.py``
(WiredCfCCell), ``lstm.py`` (mixed-memory LSTMCell), ``ltc.py`` / ``ltc_cell.py`` (LTC).
It was written from the ncps Python source and from shared/research/ncps-spec.md
sections 2-5 (which documents 1.0.1 exactly; where older stored ncps revisions differ, the
1.0.1 behaviour is implemented: ``CfCCell`` builds no backbone for backbone_layers=0, the
wired CfC is implemented, and ``LTCCell.forward(input, hx, ts)`` uses ``ts`` as the
elapsed time). It deliberately does not look at the TypeScript sources in src/, so that
agreement between the two is an independent check.

How it is validated
-------------------
Before generating anything, the implementation is run on the 3 REAL golden cases of
test/fixtures/ncps-golden.json (produced by ncps 1.0.1 + torch, float32) from their
state_dicts; the script asserts max abs error < 1e-6 on output and final_state.

How the new cases are made
--------------------------
* Random weights from ``np.random.default_rng([SEED, case_index])`` (SEED = 20240814,
  case_index = position in CASES below), so adding a case at the end does not change the
  others. Scales follow ncps init: xavier-uniform Linear weights (also w_tau/A in pure
  mode), PyTorch default bias init U(+-1/sqrt(fan_in)), LSTM biases U(+-0.1) and
  orthogonal recurrent weights, LTC ranges of ``LTCCell._init_ranges``; trained-looking
  perturbations of LTC input/output mappings. Cases named ``*_perturbed`` use much larger
  random values so the dynamics are non-trivial (saturation, fast LTC time constants,
  negative raw parameters under softplus, one softplus input above the threshold 20).
* Wired cases use the real ncps AutoNCP(19, 1, 0.5, 22222) wiring for 8 inputs, taken from
  the LTC case of ncps-golden.json (``rnn_cell.sparsity_mask`` / ``sensory_sparsity_mask``
  with polarities from ``erev`` / ``sensory_erev``); the WiredCfCCell layer masks derived
  from it are checked against the golden wired CfC masks. Masked weight entries are left
  NON-zero (as in trained checkpoints), so an importer must apply the masks.
* Every stored float (weights, inputs, timespans, h0) is rounded to float32 precision
  (``np.float32(x).item()``) and the reference output/final_state are then computed in
  float64 from exactly those rounded values and stored unrounded. A float64 port fed the
  same numbers should agree to ~1e-12.
* ``batch2_per_sample_timespans`` cases implement the INTENDED timespan semantics (one
  scalar dt per sample and step, broadcast over units, ncps-spec 3.3); real ncps 1.0.1
  mis-broadcasts timespans for batch > 1 (issues #81-#83), so those cases are not what
  torch would print.
* ``cfc_wired_fullyconnected5_out2`` records a real ncps quirk: the torch WiredCfCCell
  returns all units of its only layer (it does not slice to output_dim).

Layout (same as ncps-golden.json): {"generator", "conventions", "cases": [{"name",
"config", "state_dict": {key: {"shape", "data"}}, "input", "timespans" | null,
"h0" | [h0, c0] | null, "output", "final_state" | [h, c]}]}.
"""

import json
import math
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")
GOLDEN = os.path.join(FIXTURES, "ncps-golden.json")
OUT = os.path.join(FIXTURES, "ncps-pseudo-golden.json")

SEED = 20240814  # numpy default_rng([SEED, case_index]) per case
MAX_BYTES = 1_500_000

# AutoNCP(19, 1, sparsity 0.5, seed 22222): layer 0 = inter, 1 = command, 2 = motor
# (neuron IDs; motor first). Checked against ncps-golden.json "wirings" below.
AUTONCP19_LAYERS = [list(range(8, 19)), list(range(1, 8)), [0]]
AUTONCP19_CFG = {"class": "AutoNCP", "units": 19, "output_size": 1, "sparsity_level": 0.5, "seed": 22222}


# --------------------------------------------------------------------------- primitives

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x):  # torch nn.GELU() default: exact erf form
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


ACTIVATIONS = {
    "lecun_tanh": lambda x: 1.7159 * np.tanh(0.666 * x),  # ncps LeCun: constant 0.666, not 2/3
    "silu": lambda x: x * sigmoid(x),
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "gelu": gelu,
}


def softplus(x):  # torch nn.Softplus(beta=1, threshold=20)
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


def linear(x, w, b=None):  # torch nn.Linear / F.linear: x @ W^T + b
    y = x @ w.T
    return y if b is None else y + b


def sub(sd, prefix):
    """state_dict entries under `prefix` (prefix stripped)."""
    return {k[len(prefix):]: v for k, v in sd.items() if k.startswith(prefix)}


def backbone_linear_indices(layers, dropout):
    """nn.Sequential indices of the backbone Linear layers (CfCCell.__init__, 1.0.1)."""
    if layers <= 0:
        return []
    idx, pos = [0], 2  # [Linear, act]
    for _ in range(1, layers):
        idx.append(pos)
        pos += 2  # Linear, act
        if dropout > 0.0:
            pos += 1  # Dropout
    return idx


# --------------------------------------------------------------------------- cells

def cfc_cell(p, x, h, ts, mode, act, bb_idx, mask=None):
    """CfCCell.forward(input, hx, ts) -> new hidden (= output)."""
    z = np.concatenate([x, h], axis=1)
    for i in bb_idx:  # Dropout is identity in eval mode
        z = ACTIVATIONS[act](linear(z, p[f"backbone.{i}.weight"], p[f"backbone.{i}.bias"]))
    w1 = p["ff1.weight"] if mask is None else p["ff1.weight"] * mask
    ff1 = linear(z, w1, p["ff1.bias"])
    if mode == "pure":
        a, w_tau = p["A"], p["w_tau"]
        return -a * np.exp(-ts * (np.abs(w_tau) + np.abs(ff1))) * ff1 + a
    w2 = p["ff2.weight"] if mask is None else p["ff2.weight"] * mask
    ff2 = np.tanh(linear(z, w2, p["ff2.bias"]))
    ff1 = np.tanh(ff1)
    t_a = linear(z, p["time_a.weight"], p["time_a.bias"])  # never masked
    t_b = linear(z, p["time_b.weight"], p["time_b.bias"])
    g = sigmoid(t_a * ts + t_b)  # torch: +t_a*ts
    if mode == "no_gate":
        return ff1 + g * ff2
    if mode == "default":
        return ff1 * (1.0 - g) + g * ff2
    raise ValueError(mode)


def wired_cfc_cell(p, x, h, ts, mode, layer_sizes):
    """WiredCfCCell.forward: layers in order, state split/concatenated in layer order."""
    hs = np.split(h, np.cumsum(layer_sizes)[:-1], axis=1)
    inp, new = x, []
    for l in range(len(layer_sizes)):
        q = sub(p, f"layer_{l}.")
        out = cfc_cell(q, inp, hs[l], ts, mode, "lecun_tanh", [], q["sparsity_mask"])
        new.append(out)
        inp = out
    return inp, np.concatenate(new, axis=1)


def lstm_cell(p, x, h, c):
    """ncps LSTMCell (mixed memory): chunk order i, ig, fg, og; forget bias +1."""
    z = linear(x, p["input_map.weight"], p["input_map.bias"]) + linear(h, p["recurrent_map.weight"])
    i, ig, fg, og = np.split(z, 4, axis=1)
    c_new = c * sigmoid(fg + 1.0) + np.tanh(i) * sigmoid(ig)
    return np.tanh(c_new) * sigmoid(og), c_new


def ltc_cell(p, x, v, ts, cfg, motor):
    """LTCCell.forward(input, hx, ts) of ncps 1.0.1 (elapsed time = ts)."""
    pos = softplus if cfg.get("implicit_param_constraints", True) else (lambda a: a)
    im, om = cfg.get("input_mapping", "affine"), cfg.get("output_mapping", "affine")
    if im in ("affine", "linear"):
        x = x * p["input_w"]
    if im == "affine":
        x = x + p["input_b"]
    k, eps = cfg.get("ode_unfolds", 6), cfg.get("epsilon", 1e-8)
    s_act = pos(p["sensory_w"]) * sigmoid(p["sensory_sigma"] * (x[:, :, None] - p["sensory_mu"]))
    s_act = s_act * p["sensory_sparsity_mask"]
    num_s = np.sum(s_act * p["sensory_erev"], axis=1)
    den_s = np.sum(s_act, axis=1)
    cm_t = pos(p["cm"]) / (ts / k)
    w_pos = pos(p["w"])
    for _ in range(k):
        a = w_pos * sigmoid(p["sigma"] * (v[:, :, None] - p["mu"]))
        a = a * p["sparsity_mask"]
        num = np.sum(a * p["erev"], axis=1) + num_s
        den = np.sum(a, axis=1) + den_s
        gleak = pos(p["gleak"])
        v = (cm_t * v + gleak * p["vleak"] + num) / (cm_t + gleak + den + eps)
    out = v[:, :motor] if motor < v.shape[1] else v
    if om in ("affine", "linear"):
        out = out * p["output_w"]
    if om == "affine":
        out = out + p["output_b"]
    return out, v


# --------------------------------------------------------------------------- RNN wrapper

def wiring_layers(wcfg):
    if wcfg["class"] == "AutoNCP" and wcfg["units"] == 19 and wcfg["output_size"] == 1:
        return AUTONCP19_LAYERS, 1
    if wcfg["class"] == "FullyConnected":
        n = wcfg["units"]
        out = wcfg.get("output_dim") or n
        return [list(range(n))], out
    raise ValueError(f"wiring not supported here: {wcfg}")


def run_model(cfg, sd, x, timespans, h0):
    """CfC/LTC.forward(input, hx, timespans) -> (readout, hx). Arrays in, arrays out."""
    sd = {k: np.asarray(v, dtype=np.float64) for k, v in sd.items()}
    batch_first = cfg.get("batch_first", True)
    rs = cfg.get("return_sequences", True)
    mixed = cfg.get("mixed_memory", False)
    is_batched = x.ndim == 3
    bdim = 0 if batch_first else 1
    if not is_batched:
        x = np.expand_dims(x, bdim)
        if timespans is not None:
            timespans = np.expand_dims(timespans, bdim)
    if not batch_first:  # work in (B, L, .) internally
        x = np.swapaxes(x, 0, 1)
        if timespans is not None:
            timespans = np.swapaxes(timespans, 0, 1)
    bsz, seq = x.shape[0], x.shape[1]

    cell = sub(sd, "rnn_cell.")
    if cfg["type"] == "CfC":
        if "wiring" in cfg:
            layers, _ = wiring_layers(cfg["wiring"])
            sizes = [len(l) for l in layers]
            n = sum(sizes)
            step = lambda xt, h, ts: wired_cfc_cell(cell, xt, h, ts, cfg.get("mode", "default"), sizes)
        else:
            n = cfg["units"]
            bb = backbone_linear_indices(cfg.get("backbone_layers", 1), cfg.get("backbone_dropout", 0.0))

            def step(xt, h, ts):
                o = cfc_cell(cell, xt, h, ts, cfg.get("mode", "default"), cfg.get("activation", "lecun_tanh"), bb)
                return o, o
    elif cfg["type"] == "LTC":
        if "wiring" in cfg:
            layers, motor = wiring_layers(cfg["wiring"])
            n = sum(len(l) for l in layers)
        else:
            n = motor = cfg["units"]
        step = lambda xt, h, ts: ltc_cell(cell, xt, h, ts, cfg, motor)
    else:
        raise ValueError(cfg["type"])

    if h0 is None:
        h = np.zeros((bsz, n))
        c = np.zeros((bsz, n)) if mixed else None
    else:
        h, c = (h0[0], h0[1]) if mixed else (h0, None)
        if not is_batched:
            h = h[None, :]
            c = c[None, :] if c is not None else None

    lstm = sub(sd, "lstm.") if mixed else None
    fc = sub(sd, "fc.") if cfg.get("proj_size") is not None else None
    proj = (lambda y: linear(y, fc["weight"], fc["bias"])) if fc else (lambda y: y)

    outs = []
    for t in range(seq):
        xt = x[:, t]
        if timespans is None:
            ts = 1.0
        elif bsz == 1:
            ts = float(timespans[0, t].reshape(-1)[0])  # torch: timespans[:, t].squeeze() -> 0-d
        else:
            ts = timespans[:, t].reshape(bsz, 1)  # intended semantics: one dt per sample (spec 3.3)
        if mixed:
            h, c = lstm_cell(lstm, xt, h, c)
        h_out, h = step(xt, h, ts)
        if rs:
            outs.append(proj(h_out))
    if rs:
        readout = np.stack(outs, axis=1 if batch_first else 0)
    else:
        readout = proj(h_out)
    if not is_batched:
        readout = readout.squeeze(bdim)
        hx = (h[0], c[0]) if mixed else h[0]
    else:
        hx = (h, c) if mixed else h
    return readout, hx


# --------------------------------------------------------------------------- JSON helpers

def tensor_in(t):
    return np.asarray(t["data"], dtype=np.float64).reshape(t["shape"])


def f32(a):
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def tensor_out(a, round32=True):
    a = np.asarray(a, dtype=np.float64)
    if round32:
        a = f32(a)
    return {"shape": list(a.shape), "data": [float(v) for v in a.ravel()]}


def state_in(s):
    if s is None:
        return None
    if isinstance(s, list):
        return tuple(tensor_in(t) for t in s)
    return tensor_in(s)


def max_err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


# --------------------------------------------------------------------------- validation

def validate_against_golden(golden):
    worst = 0.0
    for case in golden["cases"]:
        sd = {k: tensor_in(v) for k, v in case["state_dict"].items()}
        ts = tensor_in(case["timespans"]) if case["timespans"] is not None else None
        out, hx = run_model(case["config"], sd, tensor_in(case["input"]), ts, state_in(case["h0"]))
        e_out = max_err(out, tensor_in(case["output"]))
        want = case["final_state"]
        if isinstance(want, list):
            e_st = max(max_err(g, tensor_in(w)) for g, w in zip(hx, want))
        else:
            e_st = max_err(hx, tensor_in(want))
        print(f"  golden {case['name']:34s} output {e_out:.2e}  final_state {e_st:.2e}")
        assert e_out < 1e-6 and e_st < 1e-6, case["name"]
        worst = max(worst, e_out, e_st)
    return worst


def autoncp19_in8(golden):
    """Adjacency matrices (with polarity) of AutoNCP(19,1,0.5,22222) built for 8 inputs."""
    byname = {c["name"]: c for c in golden["cases"]}
    ltc = byname["ltc_autoncp19_implicit_True"]["state_dict"]
    mask, smask = tensor_in(ltc["rnn_cell.sparsity_mask"]), tensor_in(ltc["rnn_cell.sensory_sparsity_mask"])
    erev, serev = tensor_in(ltc["rnn_cell.erev"]), tensor_in(ltc["rnn_cell.sensory_erev"])
    assert np.array_equal(np.abs(erev), mask) and np.array_equal(np.abs(serev), smask)
    adj, sadj = erev.astype(int), serev.astype(int)
    # Layers as ncps reports them (layers do not depend on the input count).
    for w in golden["wirings"].values():
        if w.get("ctor", [None])[:5] == ["autoncp", 19, 1, 0.5, 22222]:
            assert w["layers"] == AUTONCP19_LAYERS
    # Derived WiredCfCCell masks == the ones real ncps stored.
    wired = byname["cfc_wired_autoncp19_default"]["state_dict"]
    for l, m in enumerate(wired_masks(adj, sadj, AUTONCP19_LAYERS)):
        assert np.array_equal(m, tensor_in(wired[f"rnn_cell.layer_{l}.sparsity_mask"])), l
    return adj, sadj


def wired_masks(adj, sadj, layers):
    """WiredCfCCell.__init__: per layer |adjacency from previous layer| ; ones, transposed."""
    masks = []
    for l, units in enumerate(layers):
        if l == 0:
            a = sadj[:, units]
        else:
            a = adj[np.ix_(layers[l - 1], units)]
        a = np.concatenate([np.abs(a), np.ones((len(units), len(units)))], axis=0)
        masks.append(a.T.astype(np.float64))
    return masks


# --------------------------------------------------------------------------- random weights

class Gen:
    def __init__(self, index, scale=1.0):
        self.rng = np.random.default_rng([SEED, index])
        self.scale = scale

    def u(self, shape, lo, hi):
        return self.rng.uniform(lo, hi, size=shape)

    def xavier(self, shape):  # torch xavier_uniform_ on (out, in): fan_in = in, fan_out = out
        bound = math.sqrt(6.0 / (shape[0] + shape[1])) * self.scale
        return self.u(shape, -bound, bound)

    def bias(self, n, fan_in):
        bound = self.scale / math.sqrt(fan_in)
        return self.u((n,), -bound, bound)

    def linear(self, sd, key, n_in, n_out, bias=True):
        sd[f"{key}.weight"] = self.xavier((n_out, n_in))
        if bias:
            sd[f"{key}.bias"] = self.bias(n_out, n_in)

    def orthogonal(self, shape):
        q, r = np.linalg.qr(self.rng.standard_normal((max(shape), min(shape))))
        q = q * np.sign(np.diag(r))
        return q if shape[0] >= shape[1] else q.T


def gen_cfc_cell(g, sd, prefix, n_in, hidden, mode, bb_units, bb_idx, mask=None):
    cat = n_in + hidden
    for j, i in enumerate(bb_idx):
        g.linear(sd, f"{prefix}backbone.{i}", cat if j == 0 else bb_units, bb_units)
    if bb_idx:
        cat = bb_units
    if mask is not None:
        sd[f"{prefix}sparsity_mask"] = mask
    g.linear(sd, f"{prefix}ff1", cat, hidden)
    if mode == "pure":
        sd[f"{prefix}w_tau"] = g.xavier((1, hidden))
        sd[f"{prefix}A"] = g.xavier((1, hidden))
    else:
        for head in ("ff2", "time_a", "time_b"):
            g.linear(sd, f"{prefix}{head}", cat, hidden)


def gen_lstm(g, sd, n_in, hidden):
    sd["lstm.input_map.weight"] = g.xavier((4 * hidden, n_in))
    sd["lstm.input_map.bias"] = g.u((4 * hidden,), -0.1, 0.1) * g.scale
    sd["lstm.recurrent_map.weight"] = g.orthogonal((4 * hidden, hidden)) * g.scale


LTC_RANGES = {  # LTCCell._init_ranges
    "gleak": (0.001, 1.0), "vleak": (-0.2, 0.2), "cm": (0.4, 0.6),
    "w": (0.001, 1.0), "sigma": (3, 8), "mu": (0.3, 0.8),
    "sensory_w": (0.001, 1.0), "sensory_sigma": (3, 8), "sensory_mu": (0.3, 0.8),
}
LTC_RANGES_PERTURBED_POS = {  # raw values stay positive (implicit_param_constraints=False)
    "gleak": (0.01, 2.0), "vleak": (-1.0, 1.0), "cm": (0.05, 0.6),
    "w": (0.01, 3.0), "sigma": (-2, 10), "mu": (-0.8, 1.2),
    "sensory_w": (0.01, 3.0), "sensory_sigma": (-2, 10), "sensory_mu": (-1.0, 1.0),
}
LTC_RANGES_PERTURBED_RAW = dict(  # softplus inputs, negative values included
    LTC_RANGES_PERTURBED_POS, gleak=(-2.0, 2.0), cm=(-3.0, 0.5), w=(-3.0, 3.0), sensory_w=(-3.0, 3.0))


def gen_ltc(g, sd, n_in, adj, sadj, motor, cfg, ranges):
    n = adj.shape[0]
    p = "rnn_cell."
    for name, shape in (("gleak", (n,)), ("vleak", (n,)), ("cm", (n,)), ("sigma", (n, n)), ("mu", (n, n)),
                        ("w", (n, n))):
        sd[p + name] = g.u(shape, *ranges[name])
    sd[p + "erev"] = adj.astype(np.float64)
    for name in ("sensory_sigma", "sensory_mu", "sensory_w"):
        sd[p + name] = g.u((n_in, n), *ranges[name])
    sd[p + "sensory_erev"] = sadj.astype(np.float64)
    sd[p + "sparsity_mask"] = np.abs(adj).astype(np.float64)
    sd[p + "sensory_sparsity_mask"] = np.abs(sadj).astype(np.float64)
    im, om = cfg.get("input_mapping", "affine"), cfg.get("output_mapping", "affine")
    if im in ("affine", "linear"):
        sd[p + "input_w"] = g.u((n_in,), 0.6, 1.5)
    if im == "affine":
        sd[p + "input_b"] = g.u((n_in,), -0.3, 0.3)
    if om in ("affine", "linear"):
        sd[p + "output_w"] = g.u((motor,), 0.5, 2.0)
    if om == "affine":
        sd[p + "output_b"] = g.u((motor,), -0.5, 0.5)


# --------------------------------------------------------------------------- case table

def cfc_cfg(**kw):
    c = {"type": "CfC", "input_size": 8, "units": 6, "mode": "default", "activation": "lecun_tanh",
         "backbone_units": 16, "backbone_layers": 2, "backbone_dropout": 0.0,
         "batch_first": True, "return_sequences": True}
    c.update(kw)
    return c


def wired_cfg(**kw):
    c = {"type": "CfC", "input_size": 8, "wiring": dict(AUTONCP19_CFG), "mode": "default",
         "batch_first": True, "return_sequences": True}
    c.update(kw)
    return c


def ltc_cfg(**kw):
    c = {"type": "LTC", "input_size": 8, "wiring": dict(AUTONCP19_CFG), "ode_unfolds": 6, "epsilon": 1e-08,
         "implicit_param_constraints": True, "input_mapping": "affine", "output_mapping": "affine",
         "batch_first": True, "return_sequences": True}
    c.update(kw)
    return c


# (name, config, options). options: T steps, B batch, unbatched, timespans (bool),
# h0 (bool), perturbed (bool: larger random values), scale (weight/bias scale when perturbed,
# default 2.5; the plain-CfC ones use 1.5 to stay out of full tanh saturation)
CASES = [
    ("cfc_fc_default", cfc_cfg(), {"T": 6}),
    ("cfc_fc_no_gate", cfc_cfg(mode="no_gate"), {"T": 7}),
    ("cfc_fc_pure", cfc_cfg(mode="pure"), {"T": 8}),
    ("cfc_fc_act_gelu", cfc_cfg(activation="gelu"), {"T": 6}),
    ("cfc_fc_act_relu", cfc_cfg(activation="relu"), {"T": 6}),
    ("cfc_fc_act_tanh", cfc_cfg(activation="tanh"), {"T": 6}),
    ("cfc_fc_act_silu", cfc_cfg(activation="silu"), {"T": 6}),
    ("cfc_fc_dropout3", cfc_cfg(backbone_layers=3, backbone_dropout=0.1), {"T": 7}),
    ("cfc_fc_mixed_proj_silu", cfc_cfg(activation="silu", mixed_memory=True, proj_size=2), {"T": 9}),
    ("cfc_fc_nobackbone_no_timespans", cfc_cfg(backbone_layers=0), {"T": 6, "timespans": False}),
    ("cfc_fc_default_perturbed", cfc_cfg(backbone_units=12), {"T": 12, "perturbed": True, "scale": 1.5}),
    ("cfc_fc_pure_perturbed", cfc_cfg(mode="pure", backbone_layers=1), {"T": 10, "perturbed": True, "scale": 1.5}),
    ("cfc_fc_proj3_last", cfc_cfg(proj_size=3, return_sequences=False, input_size=5, units=7), {"T": 8}),
    ("cfc_fc_unbatched", cfc_cfg(mode="no_gate"), {"T": 6, "unbatched": True}),
    ("cfc_fc_unbatched_mixed_h0_none", cfc_cfg(mixed_memory=True), {"T": 5, "unbatched": True, "h0": False}),
    ("cfc_fc_seq_first_b1", cfc_cfg(batch_first=False), {"T": 7}),
    ("cfc_fc_seq_first_b1_last", cfc_cfg(batch_first=False, return_sequences=False, mode="pure"), {"T": 5}),
    ("cfc_fc_batch2_per_sample_timespans", cfc_cfg(), {"T": 6, "B": 2}),
    ("cfc_wired_autoncp19_default", wired_cfg(), {"T": 7}),
    ("cfc_wired_autoncp19_no_gate", wired_cfg(mode="no_gate"), {"T": 8}),
    ("cfc_wired_autoncp19_pure", wired_cfg(mode="pure"), {"T": 6}),
    ("cfc_wired_mixed", wired_cfg(mixed_memory=True), {"T": 8}),
    ("cfc_wired_autoncp19_proj3", wired_cfg(proj_size=3, mode="no_gate"), {"T": 5}),
    ("cfc_wired_autoncp19_default_perturbed", wired_cfg(), {"T": 12, "perturbed": True}),
    ("cfc_wired_autoncp19_batch2_per_sample_timespans", wired_cfg(mode="pure"), {"T": 5, "B": 2}),
    ("cfc_wired_fullyconnected5_out2",
     wired_cfg(input_size=4, wiring={"class": "FullyConnected", "units": 5, "output_dim": 2}), {"T": 6}),
    ("ltc_autoncp19_implicit_True", ltc_cfg(), {"T": 6}),
    ("ltc_autoncp19_implicit_False", ltc_cfg(implicit_param_constraints=False), {"T": 7}),
    ("ltc_autoncp19_implicit_True_perturbed", ltc_cfg(), {"T": 12, "perturbed": True}),
    ("ltc_autoncp19_implicit_False_perturbed", ltc_cfg(implicit_param_constraints=False),
     {"T": 10, "perturbed": True}),
    ("ltc_fullyconnected5_out2_last",
     ltc_cfg(input_size=4, wiring={"class": "FullyConnected", "units": 5, "output_dim": 2},
             return_sequences=False), {"T": 8, "timespans": False}),
    ("ltc_linear_mapping", ltc_cfg(input_mapping="linear", output_mapping=None), {"T": 6}),
    ("ltc_autoncp19_mixed", ltc_cfg(mixed_memory=True, ode_unfolds=4), {"T": 6}),
    ("ltc_autoncp19_unbatched_h0_none", ltc_cfg(implicit_param_constraints=False), {"T": 5, "unbatched": True,
                                                                                  "h0": False}),
    ("ltc_autoncp19_seq_first_b1", ltc_cfg(batch_first=False), {"T": 5}),
    ("ltc_autoncp19_batch2_per_sample_timespans", ltc_cfg(), {"T": 6, "B": 2}),
]


def build_case(index, name, cfg, opt, adj19, sadj19):
    perturbed = opt.get("perturbed", False)
    g = Gen(index, scale=opt.get("scale", 2.5) if perturbed else 1.0)
    s = cfg["input_size"]
    sd = {}
    if cfg["type"] == "CfC":
        if "wiring" in cfg:
            layers, motor = wiring_layers(cfg["wiring"])
            if cfg["wiring"]["class"] == "AutoNCP":
                masks = wired_masks(adj19, sadj19, layers)
            else:  # FullyConnected builds every sensory synapse -> all-ones masks
                n = cfg["wiring"]["units"]
                masks = wired_masks(np.ones((n, n), int), np.ones((s, n), int), layers)
            n_in = s
            for l, units in enumerate(layers):
                gen_cfc_cell(g, sd, f"rnn_cell.layer_{l}.", n_in, len(units), cfg["mode"], 0, [], masks[l])
                n_in = len(units)
            n = sum(len(u) for u in layers)
            out_size = len(layers[-1])  # torch returns the last layer (not sliced)
        else:
            n = cfg["units"]
            bb = backbone_linear_indices(cfg["backbone_layers"], cfg["backbone_dropout"])
            gen_cfc_cell(g, sd, "rnn_cell.", s, n, cfg["mode"], cfg["backbone_units"], bb)
            out_size = n
        if cfg.get("mixed_memory"):
            gen_lstm(g, sd, s, n)
        if cfg.get("proj_size") is not None:
            g.linear(sd, "fc", out_size, cfg["proj_size"])
            sd["fc.weight"] = g.u(sd["fc.weight"].shape, -1, 1) / math.sqrt(out_size) * g.scale
    else:
        wcfg = cfg["wiring"]
        if wcfg["class"] == "AutoNCP":
            adj, sadj, motor = adj19, sadj19, 1
        else:  # FullyConnected: every synapse present, polarity choice([-1, 1, 1])
            n = wcfg["units"]
            adj = g.rng.choice([-1, 1, 1], size=(n, n))
            sadj = g.rng.choice([-1, 1, 1], size=(s, n))
            motor = wcfg["output_dim"]
        if perturbed:
            ranges = LTC_RANGES_PERTURBED_RAW if cfg["implicit_param_constraints"] else LTC_RANGES_PERTURBED_POS
        else:
            ranges = LTC_RANGES
        gen_ltc(g, sd, s, adj, sadj, motor, cfg, ranges)
        if perturbed and cfg["implicit_param_constraints"]:
            sd["rnn_cell.w"][2, 0] = 25.0  # softplus above its threshold (returns x)
        n = adj.shape[0]
        if cfg.get("mixed_memory"):
            gen_lstm(g, sd, s, n)

    # masked entries must stay non-zero so the importer's mask multiplication matters
    for k, v in sd.items():
        if k.endswith(("ff1.weight", "ff2.weight")) or k in ("rnn_cell.w", "rnn_cell.sensory_w"):
            assert np.all(v != 0), k

    T, B = opt["T"], opt.get("B", 1)
    unbatched = opt.get("unbatched", False)
    xs = g.rng.standard_normal((B, T, s)) * (2.0 if perturbed else 1.0)
    ts = g.u((B, T, 1), 0.05, 4.0) if perturbed else g.u((B, T, 1), 0.25, 1.75)
    h = g.u((B, n), -1.0, 1.0) if perturbed else g.u((B, n), -0.5, 0.5)
    c = g.u((B, n), -1.0, 1.0) if cfg.get("mixed_memory") else None
    if not opt.get("timespans", True):
        ts = None
    if not opt.get("h0", True):
        h = c = None
    if unbatched:
        assert B == 1
        xs = xs[0]
        ts = ts[0] if ts is not None else None
        h = h[0] if h is not None else None
        c = c[0] if c is not None else None
    elif not cfg.get("batch_first", True):
        xs = np.swapaxes(xs, 0, 1)
        ts = np.swapaxes(ts, 0, 1) if ts is not None else None

    # round every stored input to float32, then compute from exactly those values
    sd = {k: f32(v) for k, v in sd.items()}
    xs = f32(xs)
    ts = f32(ts) if ts is not None else None
    h = f32(h) if h is not None else None
    c = f32(c) if c is not None else None
    h0 = None if h is None else ((h, c) if cfg.get("mixed_memory") else h)
    out, hx = run_model(cfg, sd, xs, ts, h0)
    assert np.all(np.isfinite(out)), name

    return {
        "name": name,
        "config": cfg,
        "state_dict": {k: tensor_out(v) for k, v in sd.items()},
        "input": tensor_out(xs),
        "timespans": tensor_out(ts) if ts is not None else None,
        "h0": None if h0 is None else ([tensor_out(h), tensor_out(c)] if cfg.get("mixed_memory") else tensor_out(h)),
        "output": tensor_out(out, round32=False),
        "final_state": [tensor_out(hx[0], False), tensor_out(hx[1], False)] if cfg.get("mixed_memory")
        else tensor_out(hx, False),
    }


def main():
    with open(GOLDEN) as f:
        golden = json.load(f)
    print("validating the numpy implementation against real ncps (ncps-golden.json):")
    worst = validate_against_golden(golden)
    print(f"  worst abs error {worst:.2e} (< 1e-6 required)")
    adj19, sadj19 = autoncp19_in8(golden)

    names = [c[0] for c in CASES]
    assert len(set(names)) == len(names)
    cases = [build_case(i, *c, adj19, sadj19) for i, c in enumerate(CASES)]
    doc = {
        "generator": f"tools/gen_pseudo_golden.py: float64 numpy re-implementation of ncps 1.0.1 torch "
                     f"(validated on ncps-golden.json, worst abs error {worst:.1e}), numpy {np.__version__}, "
                     f"default_rng([{SEED}, case_index])",
        "conventions": "state_dict tensors are row-major flattened; Linear.weight is (out,in); stored weights, "
                       "inputs, timespans and h0 are float32-representable; output and final_state are float64 "
                       "computed from exactly those values; *_batch2_per_sample_timespans use one dt per sample "
                       "and step (intended semantics, ncps-spec 3.3), not torch's batch>1 broadcast",
        "cases": cases,
    }
    text = json.dumps(doc, separators=(",", ":"))
    assert len(text) < MAX_BYTES, len(text)
    with open(OUT, "w") as f:
        f.write(text)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(cases)} cases, {len(text)} bytes")
    for c in cases:
        print(f"  {c['name']:48s} input {c['input']['shape']}  output {c['output']['shape']}")


if __name__ == "__main__":
    main()
