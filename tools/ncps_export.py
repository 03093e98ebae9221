#!/usr/bin/env python3
"""Export a PyTorch ``ncps`` CfC or LTC model to the lnn-edge "ncps export" JSON.

The export is one JSON object::

    {"format": "ncps-export/1",
     "generator": "ncps_export.py, ncps <version>, torch <version>",
     "config": {...ncps constructor arguments...},
     "state_dict": {KEY: {"shape": [...], "data": [...]}},     # row-major, float
     "notes": [...],                                           # only if something needs attention
     "input"/"timespans"/"h0"/"output"/"final_state": ...}     # only with --verify

It is read by ``lnn import ncps`` and ``lnn predict --model`` (see docs/ncps-import.md).
Written against ncps 1.0.1 (``ncps.torch``); the torch CfC/LTC code has been stable since
ncps 0.0.7. TF/Keras ncps models are not supported (different parametrisation).

Library use (run it where your model lives; needs ``torch``, and ``ncps`` to unpickle/rebuild)::

    import sys; sys.path.insert(0, "tools")
    from ncps_export import export_ncps
    export_ncps(model, "policy.ncps.json")                     # model: ncps.torch.CfC or LTC
    export_ncps(model, "policy.ncps.json",
                extra_config={"wiring": {"seed": 1234}},       # values ncps does not keep
                verify_inputs="inputs.json")                   # optional reference run

Command line::

    # a whole pickled model, saved with torch.save(model, "model.pt")
    python tools/ncps_export.py --checkpoint model.pt --out policy.ncps.json
    # the CfC/LTC inside a larger pickled module (attribute path)
    python tools/ncps_export.py --checkpoint agent.pt --submodule policy.rnn --out policy.ncps.json
    # a state_dict plus the constructor arguments (the export's "config" layout, see below)
    python tools/ncps_export.py --state-dict sd.pt --config config.json --out policy.ncps.json
    # ... of a wrapper module: select the entry and strip the key prefix
    python tools/ncps_export.py --state-dict ckpt.pt --key state_dict --prefix rnn. \\
        --config config.json --out policy.ncps.json
    # also store a reference run of the model, to compare with `lnn predict`
    python tools/ncps_export.py --checkpoint model.pt --verify inputs.json --out policy.ncps.json

config.json example (the same layout the export writes)::

    {"type": "CfC", "input_size": 8, "units": 6, "mode": "default", "activation": "lecun_tanh",
     "backbone_units": 16, "backbone_layers": 2, "backbone_dropout": 0.0,
     "batch_first": true, "return_sequences": true}
    {"type": "LTC", "input_size": 8,
     "wiring": {"class": "AutoNCP", "units": 19, "output_size": 1, "sparsity_level": 0.5, "seed": 22222},
     "ode_unfolds": 6, "epsilon": 1e-08, "implicit_param_constraints": true,
     "input_mapping": "affine", "output_mapping": "affine"}

A wiring may instead (or also) give "adjacency_matrix", "sensory_adjacency_matrix" and
"layers" (lists of neuron ids per layer); then it is rebuilt from those. A file with a
"config" key (an earlier export) is accepted too.

inputs.json for --verify::

    {"input": {"shape": [1, T, I], "data": [...]},
     "timespans": {"shape": [1, T, 1], "data": [...]},          # optional
     "h0": {"shape": [1, H], "data": [...]}}                     # optional; [{h}, {c}] with mixed memory

What is read back from the model object, and what is not:

* CfC: input_size, units or wiring, proj_size, mixed_memory, return_sequences, batch_first
  are attributes; ``mode`` is the cell's ``mode`` attribute; backbone_layers and
  backbone_units come from the ``backbone`` Linear layers, ``activation`` from the class of
  the backbone activation module (ncps ``LeCun`` -> "lecun_tanh"), backbone_dropout from the
  ``Dropout`` modules. Not recoverable: the dropout rate with a single backbone layer (ncps
  inserts no Dropout module then, so 0.0 is written; same module structure), and activation
  and backbone_units without a backbone (both have no effect then and are left out). A wired
  CfC has no backbone and ignores ``activation``, so neither is written.
* LTC: every argument is kept on the cell (``_input_mapping``, ``_ode_unfolds``, ...);
  implicit_param_constraints is taken from ``make_positive_fn`` (``nn.Softplus`` or
  ``nn.Identity``). Any mapping other than "affine"/"linear" means "none" and is written as null.
* Wirings: AutoNCP keeps units/output_size/sparsity_level/seed; NCP keeps its neuron counts
  and fan-outs but in ncps 1.0.1 not its seed; FullyConnected/Random may not keep their seeds.
  A missing seed is tried with the ncps default (22222 / 1111) by rebuilding the wiring and
  comparing the matrices; if that fails it is written as null and a note says so. Pass the
  true value with ``extra_config={"wiring": {"seed": ...}}`` (``--extra-config``). The export
  always carries the adjacency matrices and layers, so it stays complete without the seed.

Unpickling (--checkpoint, and .pt state dicts) runs code from the file: only load files you trust.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import pickle
import sys
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

FORMAT = "ncps-export/1"
SCRIPT = "ncps_export.py"

JsonDict = Dict[str, Any]
PathOrJson = Union[str, Mapping[str, Any]]

TORCH_HINT = (
    "PyTorch is not installed in this Python environment. Install it with `pip install torch` "
    "(CPU builds: https://pytorch.org/get-started/locally/)."
)
NCPS_HINT = "The ncps package is not installed. Install it with `pip install ncps==1.0.1` (needs torch)."

# Backbone activation module class name -> ncps activation string.
ACTIVATIONS = {"LeCun": "lecun_tanh", "SiLU": "silu", "ReLU": "relu", "Tanh": "tanh", "GELU": "gelu"}

# Wiring class -> [(constructor argument, attribute on the ncps object)].
WIRING_ARGS: Dict[str, List[Tuple[str, str]]] = {
    "AutoNCP": [("units", "units"), ("output_size", "_output_size"),
                ("sparsity_level", "_sparsity_level"), ("seed", "_seed")],
    "NCP": [("inter_neurons", "_num_inter_neurons"), ("command_neurons", "_num_command_neurons"),
            ("motor_neurons", "_num_motor_neurons"), ("sensory_fanout", "_sensory_fanout"),
            ("inter_fanout", "_inter_fanout"),
            ("recurrent_command_synapses", "_recurrent_command_synapses"),
            ("motor_fanin", "_motor_fanin"), ("seed", "_seed")],
    "FullyConnected": [("units", "units"), ("output_dim", "output_dim"),
                       ("erev_init_seed", "_erev_init_seed"), ("self_connections", "self_connections")],
    "Random": [("units", "units"), ("output_dim", "output_dim"),
               ("sparsity_level", "sparsity_level"), ("random_seed", "_random_seed")],
}
# ncps defaults tried (and checked by rebuilding) when an argument was not kept on the object.
WIRING_DEFAULTS: Dict[str, JsonDict] = {
    "AutoNCP": {"sparsity_level": 0.5, "seed": 22222},
    "NCP": {"seed": 22222},
    "FullyConnected": {"erev_init_seed": 1111, "self_connections": True},
    "Random": {"random_seed": 1111},
}
WIRING_DATA_KEYS = ("units", "input_dim", "output_dim", "layers", "adjacency_matrix",
                    "sensory_adjacency_matrix")

CFC_KWARGS = ("proj_size", "return_sequences", "batch_first", "mixed_memory", "mode",
              "activation", "backbone_units", "backbone_layers", "backbone_dropout")
LTC_KWARGS = ("return_sequences", "batch_first", "mixed_memory", "input_mapping",
              "output_mapping", "ode_unfolds", "epsilon", "implicit_param_constraints")
BACKBONE_KWARGS = ("backbone_units", "backbone_layers", "backbone_dropout")


class ExportError(Exception):
    """A problem the user has to fix (bad input, unsupported model, missing package)."""


class NcpsExportWarning(UserWarning):
    """Something could not be recovered or looks inconsistent; also written to "notes"."""


# --------------------------------------------------------------------------- lazy imports

def _require_torch() -> Any:
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise ExportError(TORCH_HINT) from exc
    return torch


def _require_numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:
        raise ExportError("numpy is not installed (it comes with torch): `pip install numpy`.") from exc
    return numpy


def _require_ncps() -> Any:
    _require_torch()
    try:
        import ncps
        import ncps.torch  # noqa: F401
        import ncps.wirings  # noqa: F401
    except (ImportError, ImportWarning) as exc:
        raise ExportError(NCPS_HINT) from exc
    return ncps


def _optional_ncps() -> Optional[Any]:
    try:
        return _require_ncps()
    except ExportError:
        return None


def _package_version(dist: str, module_name: str) -> str:
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        module = sys.modules.get(module_name)
        return str(getattr(module, "__version__", "unknown"))


def generator_string() -> str:
    torch_version = _package_version("torch", "torch")
    if "torch" in sys.modules:
        torch_version = str(getattr(sys.modules["torch"], "__version__", torch_version))
    return f"{SCRIPT}, ncps {_package_version('ncps', 'ncps')}, torch {torch_version}"


# --------------------------------------------------------------------------- small helpers

class Notes:
    """Collects notes for the export and emits each one as a warning."""

    def __init__(self) -> None:
        self.items: List[str] = []

    def add(self, message: str) -> None:
        if message not in self.items:
            self.items.append(message)
            warnings.warn(message, NcpsExportWarning, stacklevel=3)


def _type_name(obj: Any) -> str:
    return type(obj).__name__


def _is_wiring(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("adjacency_matrix", "units", "get_neurons_of_layer"))


def _wiring_or_units(model: Any) -> Any:
    for attr in ("wiring_or_units", "wiring_or_hidden_size"):
        if hasattr(model, attr):
            return getattr(model, attr)
    for attr in ("wiring", "_wiring"):
        if _is_wiring(getattr(model, attr, None)):
            return getattr(model, attr)
    raise ExportError(f"cannot find the units/wiring of {_type_name(model)} (not an ncps 1.0.x model?)")


def _int_matrix(matrix: Any) -> List[List[int]]:
    np = _require_numpy()
    return np.asarray(matrix).astype(np.int64).tolist()


def _deep_merge(base: JsonDict, override: Mapping[str, Any]) -> JsonDict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _load_json(path: str, what: str) -> Any:
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise ExportError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ExportError(f"{what} {path} is not valid JSON: {exc}") from exc


def tensor_to_json(tensor: Any) -> JsonDict:
    """A torch tensor as {"shape", "data"}: float64 values, row-major, finite."""
    array = tensor.detach().cpu().double().numpy()
    np = _require_numpy()
    if not np.all(np.isfinite(array)):
        raise ExportError("tensor contains NaN or infinite values, which JSON cannot hold")
    return {"shape": [int(s) for s in array.shape], "data": array.ravel().tolist()}


def tensor_from_json(entry: Any, name: str, dtype: Any = None) -> Any:
    torch = _require_torch()
    if not isinstance(entry, Mapping) or "shape" not in entry or "data" not in entry:
        raise ExportError(f"{name} must be an object {{\"shape\": [...], \"data\": [...]}}")
    shape = [int(s) for s in entry["shape"]]
    data = entry["data"]
    if len(data) != math.prod(shape):
        raise ExportError(f"{name}: shape {shape} needs {math.prod(shape)} values, got {len(data)}")
    return torch.tensor(data, dtype=dtype or torch.float32).reshape(shape)


# --------------------------------------------------------------------------- model -> config

def model_kind(model: Any) -> str:
    """Return "CfC" or "LTC", or raise ExportError with a useful hint."""
    module = type(model).__module__ or ""
    name = _type_name(model)
    ncps = sys.modules.get("ncps.torch")
    if ncps is not None:
        if isinstance(model, getattr(ncps, "CfC", ())):
            return "CfC"
        if isinstance(model, getattr(ncps, "LTC", ())):
            return "LTC"
    if module.startswith(("ncps.tf", "ncps.keras", "keras", "tensorflow", "tf_keras")):
        raise ExportError(f"{module}.{name} is a TF/Keras model: TF/Keras ncps weights use a different "
                          "parametrisation (transposed kernels, no tanh on ff1/ff2, -t_a gate sign, "
                          "signed masks) and are not supported. Train/export with ncps.torch.")
    if name in ("CfCCell", "WiredCfCCell", "LTCCell"):
        raise ExportError(f"{name} is a single ncps cell; export the ncps.torch.CfC/LTC RNN module "
                          "(the cell is its .rnn_cell).")
    if name in ("CfC", "LTC") and hasattr(model, "rnn_cell"):
        return name  # vendored copy of ncps: same attributes, checked while reading them
    found = _find_ncps_submodules(model)
    hint = (f" It contains {', '.join(found)}: export that submodule "
            f"(CLI: --submodule {found[0]})." if found else "")
    raise ExportError(f"unsupported model class {module}.{name}: expected ncps.torch.CfC or "
                      f"ncps.torch.LTC.{hint}")


def _find_ncps_submodules(model: Any) -> List[str]:
    named = getattr(model, "named_modules", None)
    if named is None:
        return []
    return [n for n, m in named() if n and _type_name(m) in ("CfC", "LTC") and hasattr(m, "rnn_cell")]


def backbone_config(cell: Any, notes: Notes) -> JsonDict:
    """backbone_* and activation of a plain CfCCell, read from its modules."""
    depth = int(getattr(cell, "backbone_layers", 0))
    backbone = getattr(cell, "backbone", None)
    if depth == 0:
        if backbone is not None and len(list(backbone.parameters())) > 0:
            notes.add("backbone_layers is 0 but the cell has backbone weights (ncps < 0.0.7); "
                      "the rnn_cell.backbone.* keys are unused")
        return {"backbone_layers": 0}
    if backbone is None:
        raise ExportError("CfC cell has backbone_layers > 0 but no backbone module")
    modules = list(backbone)
    linears = [(i, m) for i, m in enumerate(modules) if _type_name(m) == "Linear"]
    if len(linears) != depth:
        raise ExportError(f"CfC backbone has {len(linears)} Linear layers but backbone_layers={depth}")
    dropouts = sorted({float(m.p) for m in modules if _type_name(m) == "Dropout"})
    if len(dropouts) > 1:
        raise ExportError(f"CfC backbone has different dropout rates {dropouts}; not an ncps backbone")
    return {"activation": _activation_name(modules[linears[0][0] + 1]),
            "backbone_units": int(linears[0][1].out_features),
            "backbone_layers": depth,
            "backbone_dropout": dropouts[0] if dropouts else 0.0}


def _activation_name(module: Any) -> str:
    name = _type_name(module)
    if name not in ACTIVATIONS:
        raise ExportError(f"unsupported CfC backbone activation {name}; ncps allows "
                          f"{', '.join(ACTIVATIONS.values())}")
    if name == "GELU" and getattr(module, "approximate", "none") != "none":
        raise ExportError("CfC backbone uses GELU(approximate='tanh'); ncps 'gelu' is the exact form")
    return ACTIVATIONS[name]


def _wired_layers(cell: Any, wiring: Any) -> List[Any]:
    layers = [getattr(cell, f"layer_{i}", None) for i in range(int(wiring.num_layers))]
    if any(layer is None for layer in layers):
        raise ExportError("wired CfC cell is missing layer_<i> submodules (not ncps WiredCfCCell?)")
    return layers


def cfc_config(model: Any, notes: Notes, wiring_hints: Mapping[str, Any]) -> JsonDict:
    cfg: JsonDict = {"type": "CfC", "input_size": int(model.input_size)}
    units = _wiring_or_units(model)
    cell = model.rnn_cell
    if _is_wiring(units):
        cfg["wiring"] = wiring_config(units, notes, wiring_hints)
        modes = {str(layer.mode) for layer in _wired_layers(cell, units)}
        if len(modes) != 1:
            raise ExportError(f"wired CfC layers use different modes {sorted(modes)}")
        cfg["mode"] = modes.pop()
    else:
        cfg["units"] = int(units)
        cfg["mode"] = str(cell.mode)
        cfg.update(backbone_config(cell, notes))
    proj = getattr(model, "proj_size", None)
    if proj is not None:
        cfg["proj_size"] = int(proj)
    cfg["mixed_memory"] = bool(getattr(model, "use_mixed", False))
    cfg["batch_first"] = bool(model.batch_first)
    cfg["return_sequences"] = bool(model.return_sequences)
    return cfg


def _mapping_name(value: Any) -> Optional[str]:
    return value if value in ("affine", "linear") else None


def _implicit_constraints(cell: Any, notes: Notes) -> bool:
    fn = getattr(cell, "make_positive_fn", None)
    name = _type_name(fn)
    if name == "Softplus":
        if float(getattr(fn, "beta", 1)) != 1.0 or float(getattr(fn, "threshold", 20)) != 20.0:
            raise ExportError("LTC make_positive_fn is a non-default Softplus; ncps uses beta=1, threshold=20")
        implicit = True
    elif name == "Identity":
        implicit = False
    else:
        raise ExportError(f"LTC make_positive_fn is {name}; expected nn.Softplus or nn.Identity")
    flag = getattr(cell, "_implicit_param_constraints", implicit)
    if bool(flag) != implicit:
        notes.add(f"LTC _implicit_param_constraints={flag} disagrees with make_positive_fn={name}; "
                  f"the forward pass uses make_positive_fn, so {implicit} is written")
    return implicit


def ltc_config(model: Any, notes: Notes, wiring_hints: Mapping[str, Any]) -> JsonDict:
    cell = model.rnn_cell
    if getattr(cell, "_use_swish_activation", False):
        raise ExportError("LTC with use_swish_activation=True is not part of ncps 1.0.1 and is not supported")
    cfg: JsonDict = {"type": "LTC", "input_size": int(model.input_size)}
    units = _wiring_or_units(model)
    if _is_wiring(units):
        cfg["wiring"] = wiring_config(units, notes, wiring_hints)
    else:
        cfg["units"] = int(units)
    cfg["mixed_memory"] = bool(getattr(model, "use_mixed", False))
    cfg["input_mapping"] = _mapping_name(getattr(cell, "_input_mapping", "affine"))
    cfg["output_mapping"] = _mapping_name(getattr(cell, "_output_mapping", "affine"))
    cfg["ode_unfolds"] = int(cell._ode_unfolds)
    cfg["epsilon"] = float(cell._epsilon)
    cfg["implicit_param_constraints"] = _implicit_constraints(cell, notes)
    cfg["batch_first"] = bool(model.batch_first)
    cfg["return_sequences"] = bool(model.return_sequences)
    return cfg


# --------------------------------------------------------------------------- wiring -> config

def wiring_data(wiring: Any) -> JsonDict:
    """units, dims, layers and both adjacency matrices (as nested int lists)."""
    if getattr(wiring, "input_dim", None) is None or wiring.sensory_adjacency_matrix is None:
        raise ExportError("the wiring is not built (no input_dim); build the model first")
    return {"units": int(wiring.units),
            "input_dim": int(wiring.input_dim),
            "output_dim": int(wiring.output_dim),
            "layers": [[int(n) for n in wiring.get_neurons_of_layer(i)]
                       for i in range(int(wiring.num_layers))],
            "adjacency_matrix": _int_matrix(wiring.adjacency_matrix),
            "sensory_adjacency_matrix": _int_matrix(wiring.sensory_adjacency_matrix)}


def _wiring_class(wiring: Any) -> str:
    return str(getattr(wiring, "_ncps_export_class", _type_name(wiring)))


def _stored_wiring_args(wiring: Any, cls: str) -> JsonDict:
    stored = getattr(wiring, "_ncps_export_args", None)
    if isinstance(stored, Mapping):
        return dict(stored)
    args: JsonDict = {}
    for arg, attr in WIRING_ARGS[cls]:
        value = getattr(wiring, attr, None)
        args[arg] = value.item() if hasattr(value, "item") else value
    if cls == "AutoNCP" and args.get("output_size") is None:
        args["output_size"] = int(wiring.output_dim)
    return args


def _rebuild_matches(cls: str, args: Mapping[str, Any], data: Mapping[str, Any]) -> Optional[bool]:
    """Rebuild the wiring with ncps and compare matrices; None if ncps is unavailable."""
    ncps = _optional_ncps()
    if ncps is None:
        return None
    np = _require_numpy()
    try:
        rebuilt = getattr(ncps.wirings, cls)(**args)
        rebuilt.build(int(data["input_dim"]))
    except Exception:
        return False
    return (np.array_equal(np.asarray(rebuilt.adjacency_matrix), np.asarray(data["adjacency_matrix"]))
            and np.array_equal(np.asarray(rebuilt.sensory_adjacency_matrix),
                               np.asarray(data["sensory_adjacency_matrix"])))


def _resolve_wiring_args(cls: str, args: JsonDict, data: JsonDict, hints: Mapping[str, Any],
                         notes: Notes) -> JsonDict:
    """Fill arguments that ncps did not keep: from hints, else from checked ncps defaults."""
    missing = [k for k, v in args.items() if v is None]
    hinted = [k for k in missing if hints.get(k) is not None]
    for key in hinted:
        args[key] = hints[key]
    if hinted and _rebuild_matches(cls, args, data) is False:
        notes.add(f"{cls}({', '.join(f'{k}={args[k]!r}' for k in hinted)}) from extra_config does not "
                  "rebuild the exported adjacency matrices; the matrices in the export are authoritative")
    unresolved = [k for k in missing if args[k] is None]
    if not unresolved:
        return args
    trial = dict(args, **{k: WIRING_DEFAULTS.get(cls, {}).get(k) for k in unresolved})
    if all(v is not None for v in trial.values()) and _rebuild_matches(cls, trial, data):
        notes.add(f"{cls} did not keep {', '.join(unresolved)}; the ncps default "
                  f"({', '.join(f'{k}={trial[k]!r}' for k in unresolved)}) rebuilds the same matrices")
        return trial
    notes.add(f"{cls} did not keep {', '.join(unresolved)}; written as null (pass it with "
              f"extra_config={{'wiring': {{'{unresolved[0]}': ...}}}}). The export is still complete: "
              "it carries the adjacency matrices and layers")
    return args


def wiring_config(wiring: Any, notes: Notes, hints: Mapping[str, Any]) -> JsonDict:
    """{"class", constructor arguments..., units, input_dim, output_dim, layers, matrices}."""
    data = wiring_data(wiring)
    cls = _wiring_class(wiring)
    if cls in WIRING_ARGS:
        args = _resolve_wiring_args(cls, _stored_wiring_args(wiring, cls), data, hints, notes)
    else:
        args = {}
        notes.add(f"wiring class {cls} is not an ncps wiring with known constructor arguments; "
                  "only its matrices and layers are exported")
    return {"class": cls, **args, **data}


# --------------------------------------------------------------------------- consistency

def check_masks(config: Mapping[str, Any], state_dict: Mapping[str, JsonDict], notes: Notes) -> None:
    """Compare state_dict sparsity masks with what the exported wiring implies."""
    wiring = config.get("wiring")
    if not isinstance(wiring, Mapping):
        return
    np = _require_numpy()
    adj = np.abs(np.asarray(wiring["adjacency_matrix"], dtype=np.float64))
    sens = np.abs(np.asarray(wiring["sensory_adjacency_matrix"], dtype=np.float64))
    expected: List[Tuple[str, Any]] = []
    if config["type"] == "LTC":
        expected = [("rnn_cell.sparsity_mask", adj), ("rnn_cell.sensory_sparsity_mask", sens)]
    else:
        layers = wiring["layers"]
        for index, neurons in enumerate(layers):
            source = sens[:, neurons] if index == 0 else adj[np.ix_(layers[index - 1], neurons)]
            block = np.concatenate([source, np.ones((len(neurons), len(neurons)))], axis=0)
            expected.append((f"rnn_cell.layer_{index}.sparsity_mask", block.T))
    for key, mask in expected:
        entry = state_dict.get(key)
        if entry is None:
            notes.add(f"state_dict has no {key}")
            continue
        actual = np.asarray(entry["data"], dtype=np.float64).reshape(entry["shape"])
        if actual.shape != mask.shape or not np.array_equal(actual, mask):
            notes.add(f"{key} does not match the exported wiring matrices; ncps computes with the "
                      "state_dict mask, so importers must use the mask")


# --------------------------------------------------------------------------- reference run

def _state_from_json(h0: Any, mixed: bool, dtype: Any) -> Any:
    if h0 is None:
        return None
    if mixed:
        if not isinstance(h0, list) or len(h0) != 2:
            raise ExportError("h0 of a mixed-memory model must be a list [{h}, {c}]")
        return (tensor_from_json(h0[0], "h0[0]", dtype), tensor_from_json(h0[1], "h0[1]", dtype))
    if isinstance(h0, list):
        raise ExportError("h0 must be a single tensor object (lists are for mixed memory)")
    return tensor_from_json(h0, "h0", dtype)


def _state_to_json(state: Any) -> Any:
    if isinstance(state, (tuple, list)):
        return [tensor_to_json(s) for s in state]
    return tensor_to_json(state)


def _check_inputs(x: Any, ts: Any, input_size: int) -> None:
    if x.dim() != 3 or x.shape[2] != input_size:
        raise ExportError(f"input must have shape [B, T, {input_size}], got {list(x.shape)}")
    if ts is None:
        return
    if list(ts.shape[:2]) != list(x.shape[:2]) or ts.dim() > 3 or (ts.dim() == 3 and ts.shape[2] != 1):
        raise ExportError(f"timespans must have shape [B, T] or [B, T, 1], got {list(ts.shape)}")
    if x.shape[0] != 1:
        raise ExportError("timespans with batch > 1 are mis-broadcast by ncps (issues #81-#83); "
                          "use batch 1 for a reference run")


def reference_run(model: Any, inputs: PathOrJson) -> JsonDict:
    """Run the model in eval mode on an inputs file/dict; return input/timespans/h0/output/final_state."""
    torch = _require_torch()
    doc = _load_json(inputs, "inputs file") if isinstance(inputs, str) else inputs
    if not isinstance(doc, Mapping) or "input" not in doc:
        raise ExportError('inputs must be an object with an "input" tensor')
    param = next(model.parameters())
    x = tensor_from_json(doc["input"], "input", param.dtype)
    ts = tensor_from_json(doc["timespans"], "timespans", param.dtype) if doc.get("timespans") else None
    _check_inputs(x, ts, int(model.input_size))
    hx = _state_from_json(doc.get("h0"), bool(getattr(model, "use_mixed", False)), param.dtype)
    to_dev = (lambda t: None if t is None else t.to(param.device))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            xin, tsin = (x, ts) if model.batch_first else (x.transpose(0, 1), _transpose(ts))
            hin = tuple(to_dev(h) for h in hx) if isinstance(hx, tuple) else to_dev(hx)
            output, state = model(to_dev(xin), hin, to_dev(tsin))
    except RuntimeError as exc:
        raise ExportError(f"the model failed on the inputs: {exc}") from exc
    finally:
        model.train(was_training)
    if not model.batch_first and model.return_sequences:
        output = output.transpose(0, 1)
    return {"input": tensor_to_json(x),
            "timespans": None if ts is None else tensor_to_json(ts),
            "h0": None if hx is None else _state_to_json(hx),
            "output": tensor_to_json(output),
            "final_state": _state_to_json(state)}


def _transpose(tensor: Any) -> Any:
    return None if tensor is None else tensor.transpose(0, 1)


def _max_abs_diff(a: Any, b: Any) -> Optional[float]:
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        diffs = [_max_abs_diff(x, y) for x, y in zip(a, b)]
        return None if None in diffs else max(diffs)  # type: ignore[type-var]
    if not isinstance(a, Mapping) or not isinstance(b, Mapping) or list(a["shape"]) != list(b["shape"]):
        return None
    return max((abs(x - y) for x, y in zip(a["data"], b["data"])), default=0.0)


# --------------------------------------------------------------------------- export

def build_export(model: Any, extra_config: Optional[Mapping[str, Any]] = None,
                 verify_inputs: Optional[PathOrJson] = None,
                 fill_config: Optional[Mapping[str, Any]] = None) -> JsonDict:
    """Build the export dict. extra_config overrides derived values; fill_config only fills gaps."""
    _require_torch()
    kind = model_kind(model)
    notes = Notes()
    extra = dict(extra_config or {})
    fill = dict(fill_config or {})
    hints = _deep_merge(_wiring_hint(fill), _wiring_hint(extra))
    config = cfc_config(model, notes, hints) if kind == "CfC" else ltc_config(model, notes, hints)
    config = _apply_fill(config, fill)
    config = _apply_extra(config, extra, notes)
    state_dict = {key: _named_tensor(key, value) for key, value in model.state_dict().items()}
    check_masks(config, state_dict, notes)
    export: JsonDict = {"format": FORMAT, "generator": generator_string(),
                        "config": config, "state_dict": state_dict}
    if verify_inputs is not None:
        reference = reference_run(model, verify_inputs)
        _report_known_output(verify_inputs, reference, notes)
        export.update(reference)
    if notes.items:
        export["notes"] = notes.items
    return export


def _wiring_hint(cfg: Mapping[str, Any]) -> JsonDict:
    wiring = cfg.get("wiring")
    if not isinstance(wiring, Mapping):
        return {}
    return {k: v for k, v in wiring.items() if k not in WIRING_DATA_KEYS and k != "class"}


def _named_tensor(key: str, value: Any) -> JsonDict:
    try:
        return tensor_to_json(value)
    except ExportError as exc:
        raise ExportError(f"state_dict[{key!r}]: {exc}") from exc


def _apply_fill(config: JsonDict, fill: Mapping[str, Any]) -> JsonDict:
    for key, value in fill.items():
        if key == "wiring" or key in config or value is None:
            continue
        if key in CFC_KWARGS + LTC_KWARGS and not (config.get("wiring") and key in BACKBONE_KWARGS + ("activation",)):
            config[key] = value
    return config


def _apply_extra(config: JsonDict, extra: Mapping[str, Any], notes: Notes) -> JsonDict:
    for key, value in extra.items():
        if key == "wiring" and isinstance(value, Mapping) and isinstance(config.get("wiring"), Mapping):
            for wkey, wvalue in value.items():
                _override(config["wiring"], wkey, wvalue, notes, "wiring.")
        else:
            _override(config, key, value, notes, "")
    return config


def _override(target: JsonDict, key: str, value: Any, notes: Notes, prefix: str) -> None:
    if key in target and target[key] is not None and target[key] != value:
        notes.add(f"extra_config overrides {prefix}{key}: read {target[key]!r} from the model, "
                  f"writing {value!r}")
    target[key] = value


def write_json(document: Mapping[str, Any], path: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, allow_nan=False, separators=(",", ":"))
            handle.write("\n")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}") from exc


def export_ncps(model: Any, path: Optional[str] = None,
                extra_config: Optional[Mapping[str, Any]] = None, *,
                verify_inputs: Optional[PathOrJson] = None) -> JsonDict:
    """Export an ncps.torch CfC/LTC model; write it to ``path`` (if given) and return the dict.

    extra_config: constructor arguments ncps did not keep (or corrections); they override
        the values read from the model, e.g. {"wiring": {"seed": 1234}}.
    verify_inputs: path or dict in the `lnn predict` inputs layout; the model is run on it
        (eval mode, no grad) and input/timespans/h0/output/final_state are stored.
    """
    document = build_export(model, extra_config, verify_inputs)
    if path is not None:
        write_json(document, path)
    return document


def _report_known_output(inputs: PathOrJson, reference: Mapping[str, Any], notes: Notes) -> None:
    doc = _load_json(inputs, "inputs file") if isinstance(inputs, str) else inputs
    for key in ("output", "final_state"):
        if doc.get(key) is not None:
            diff = _max_abs_diff(doc[key], reference[key])
            shown = "shape differs" if diff is None else f"max abs diff {diff:.3g}"
            print(f"{SCRIPT}: {key} vs the one in the inputs file: {shown}", file=sys.stderr)


# --------------------------------------------------------------------------- rebuild (CLI)

def _ncps_layers(wcfg: Mapping[str, Any]) -> Optional[List[List[int]]]:
    """Layers of an NCP from its neuron counts: [inter, command, motor] with motor ids first."""
    try:
        inter, command, motor = (int(wcfg[k]) for k in ("inter_neurons", "command_neurons", "motor_neurons"))
    except (KeyError, TypeError, ValueError):
        return None
    return [list(range(motor + command, motor + command + inter)),
            list(range(motor, motor + command)), list(range(motor))]


def matrix_wiring(wcfg: Mapping[str, Any], input_size: int) -> Any:
    """An ncps Wiring rebuilt from adjacency matrices (and layers, for wired CfC)."""
    ncps = _require_ncps()
    np = _require_numpy()
    adjacency = np.asarray(wcfg["adjacency_matrix"], dtype=np.int32)
    sensory = np.asarray(wcfg["sensory_adjacency_matrix"], dtype=np.int32)
    units = int(adjacency.shape[0])
    layers = wcfg.get("layers") or _ncps_layers(wcfg) or [list(range(units))]
    if adjacency.shape != (units, units) or sensory.shape != (input_size, units):
        raise ExportError(f"wiring matrices have shapes {adjacency.shape} and {sensory.shape}; "
                          f"expected ({units}, {units}) and ({input_size}, {units})")
    if sorted(n for layer in layers for n in layer) != list(range(units)):
        raise ExportError("wiring layers must list every neuron id exactly once")

    class MatrixWiring(ncps.wirings.Wiring):  # type: ignore[misc, name-defined]
        @property
        def num_layers(self) -> int:
            return len(layers)

        def get_neurons_of_layer(self, layer_id: int) -> List[int]:
            return [int(n) for n in layers[layer_id]]

    wiring = MatrixWiring(units)
    wiring.adjacency_matrix = adjacency
    wiring.set_input_dim(input_size)
    wiring.sensory_adjacency_matrix = sensory
    output_dim = wcfg.get("output_dim", wcfg.get("output_size", wcfg.get("motor_neurons")))
    wiring.set_output_dim(int(output_dim if output_dim is not None else units))
    cls = str(wcfg.get("class", "Wiring"))
    wiring._ncps_export_class = cls
    if cls in WIRING_ARGS:
        wiring._ncps_export_args = {arg: wcfg.get(arg) for arg, _ in WIRING_ARGS[cls]}
    return wiring


def build_wiring(wcfg: Mapping[str, Any], input_size: int) -> Any:
    """A wiring from its constructor arguments, else from its matrices."""
    ncps = _require_ncps()
    cls = wcfg.get("class")
    spec = WIRING_ARGS.get(str(cls))
    if spec and all(wcfg.get(arg) is not None for arg, _ in spec):
        try:
            return getattr(ncps.wirings, str(cls))(**{arg: wcfg[arg] for arg, _ in spec})
        except (TypeError, ValueError) as exc:
            raise ExportError(f"cannot build wiring {cls}: {exc}") from exc
    if wcfg.get("adjacency_matrix") is not None and wcfg.get("sensory_adjacency_matrix") is not None:
        return matrix_wiring(wcfg, input_size)
    needed = ", ".join(arg for arg, _ in spec) if spec else "its constructor arguments"
    raise ExportError(f"wiring {cls!r} needs either {needed}, or adjacency_matrix and "
                      "sensory_adjacency_matrix (plus layers for a multi-layer wired CfC)")


def _sync_wiring_matrices(wiring: Any, wcfg: Mapping[str, Any]) -> None:
    """After the model built the wiring, prefer matrices given in the config (with a warning)."""
    np = _require_numpy()
    for key in ("adjacency_matrix", "sensory_adjacency_matrix"):
        if wcfg.get(key) is None:
            continue
        given = np.asarray(wcfg[key], dtype=np.int32)
        if not np.array_equal(given, np.asarray(getattr(wiring, key))):
            warnings.warn(f"the wiring rebuilt from the constructor arguments differs from {key} in "
                          "the config; using the config's matrix", NcpsExportWarning, stacklevel=2)
            setattr(wiring, key, given)


def build_model(config: Mapping[str, Any]) -> Any:
    """Construct an ncps.torch CfC/LTC from an export-style config (weights not loaded)."""
    ncps = _require_ncps()
    kind = config.get("type")
    if kind not in ("CfC", "LTC"):
        raise ExportError(f'config "type" must be "CfC" or "LTC", got {kind!r}')
    if not isinstance(config.get("input_size"), int):
        raise ExportError('config needs an integer "input_size"')
    input_size = int(config["input_size"])
    wcfg = config.get("wiring")
    if isinstance(wcfg, Mapping):
        units: Any = build_wiring(wcfg, input_size)
    elif isinstance(config.get("units"), int):
        units = int(config["units"])
    else:
        raise ExportError('config needs "units" (an integer) or "wiring" (an object)')
    try:
        if kind == "CfC":
            kwargs = {k: config[k] for k in CFC_KWARGS if config.get(k) is not None}
            if wcfg is not None:
                for key in BACKBONE_KWARGS:
                    kwargs.pop(key, None)
            model = ncps.torch.CfC(input_size, units, **kwargs)
        else:
            kwargs = {k: config[k] for k in LTC_KWARGS if k in config}
            if "implicit_param_constraints" not in config:
                warnings.warn("config has no implicit_param_constraints; using the ncps LTC default "
                              "(True). It is not stored in the state_dict", NcpsExportWarning, stacklevel=2)
            model = ncps.torch.LTC(input_size, units, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"ncps rejected the config: {exc}") from exc
    if isinstance(wcfg, Mapping):
        _sync_wiring_matrices(units, wcfg)
    return model


def _torch_load(path: str) -> Any:
    torch = _require_torch()
    kwargs: JsonDict = {"map_location": "cpu"}
    if "weights_only" in inspect.signature(torch.load).parameters:
        kwargs["weights_only"] = False  # whole pickled models need the full unpickler
    try:
        return torch.load(path, **kwargs)
    except FileNotFoundError as exc:
        raise ExportError(f"no such file: {path}") from exc
    except ModuleNotFoundError as exc:
        raise ExportError(f"unpickling {path} needs the module {exc.name!r}: install it or put its "
                          "code on PYTHONPATH (ncps: `pip install ncps==1.0.1`)") from exc
    except AttributeError as exc:
        raise ExportError(f"cannot unpickle {path}: {exc}. A class defined in the training script "
                          "(__main__) cannot be found from here: call export_ncps() from that script, "
                          "or save a state_dict and use --state-dict with --config") from exc
    except (RuntimeError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise ExportError(f"cannot load {path} with torch.load: {exc}") from exc


def _select(obj: Any, key: Optional[str], path: str) -> Any:
    if key is None:
        return obj
    if not isinstance(obj, Mapping) or key not in obj:
        keys = ", ".join(map(str, list(obj)[:10])) if isinstance(obj, Mapping) else type(obj).__name__
        raise ExportError(f"{path} has no entry {key!r} (available: {keys})")
    return obj[key]


def load_checkpoint_model(path: str, key: Optional[str], submodule: Optional[str]) -> Any:
    obj = _select(_torch_load(path), key, path)
    if isinstance(obj, Mapping):
        raise ExportError(f"{path} holds a dict (keys: {', '.join(map(str, list(obj)[:10]))}), not a "
                          "model: use --key to pick the model, or --state-dict with --config")
    if submodule:
        try:
            obj = obj.get_submodule(submodule)
        except AttributeError as exc:
            raise ExportError(f"no submodule {submodule!r} in {type(obj).__name__}: {exc}") from exc
    return obj


def load_state_dict(path: str, key: Optional[str], prefix: Optional[str]) -> Dict[str, Any]:
    """A state_dict from a .pt file or from JSON ({"state_dict": {...}} or {KEY: {shape, data}})."""
    torch = _require_torch()
    if path.endswith(".json"):
        doc = _load_json(path, "state dict")
        if not isinstance(doc, Mapping):
            raise ExportError(f"{path} must hold a JSON object")
        doc = _select(doc, key, path) if key else doc.get("state_dict", doc)
        state = {k: tensor_from_json(v, k) for k, v in doc.items()}
    else:
        state = _select(_torch_load(path), key, path)
        if isinstance(state, torch.nn.Module):
            state = state.state_dict()
    if not isinstance(state, Mapping):
        raise ExportError(f"{path} does not hold a state_dict (got {type(state).__name__}); use --key")
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if not state:
            raise ExportError(f"no state_dict key starts with {prefix!r}")
    bad = [k for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise ExportError(f"state_dict entries are not tensors: {', '.join(bad[:5])} (use --key/--prefix)")
    return dict(state)


def load_weights(model: Any, state: Mapping[str, Any]) -> None:
    result = model.load_state_dict(state, strict=False)
    problems = []
    if result.missing_keys:
        problems.append(f"missing {', '.join(result.missing_keys[:8])}")
    if result.unexpected_keys:
        problems.append(f"unexpected {', '.join(result.unexpected_keys[:8])}")
    if problems:
        prefixes = sorted({u[:-len(m)] for u in result.unexpected_keys for m in result.missing_keys
                           if u.endswith("." + m)})
        if prefixes:
            problems.append(f"the keys look prefixed: try --prefix {prefixes[0]}")
        raise ExportError("the state_dict does not fit the model built from the config ("
                          + "; ".join(problems) + "). Check mode (pure has w_tau/A, no ff2), "
                          "backbone_layers/backbone_dropout (dropout shifts backbone.<i> indices), "
                          "mixed_memory (lstm.*), proj_size (fc.*), and the key prefix (--prefix)")


def config_from_file(path: str) -> JsonDict:
    doc = _load_json(path, "config")
    if isinstance(doc, Mapping) and isinstance(doc.get("config"), Mapping):
        doc = doc["config"]
    if not isinstance(doc, Mapping):
        raise ExportError(f"{path} must hold a JSON object with the constructor arguments")
    return dict(doc)


# --------------------------------------------------------------------------- CLI

def _parse_extra(value: Optional[str]) -> JsonDict:
    if not value:
        return {}
    if value.lstrip().startswith("{"):
        try:
            doc = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ExportError(f"--extra-config is not valid JSON: {exc}") from exc
    else:
        doc = _load_json(value, "extra config")
    if not isinstance(doc, Mapping):
        raise ExportError("--extra-config must be a JSON object")
    return dict(doc)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=SCRIPT,
        description="Export a PyTorch ncps CfC/LTC model to the lnn-edge ncps export JSON "
                    "(input of `lnn import ncps` and `lnn predict --model`).",
        epilog="examples:\n"
               "  python tools/ncps_export.py --checkpoint model.pt --out policy.ncps.json\n"
               "  python tools/ncps_export.py --state-dict sd.pt --config config.json "
               "--out policy.ncps.json\n"
               "  python tools/ncps_export.py --checkpoint model.pt --verify inputs.json "
               "--out policy.ncps.json\n"
               "Needs torch and ncps (pip install torch ncps==1.0.1). See docs/ncps-import.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", metavar="MODEL.pt",
                        help="whole model saved with torch.save(model) (unpickled: trusted files only)")
    source.add_argument("--state-dict", metavar="SD.pt",
                        help="state_dict (.pt, or .json in the export layout); needs --config")
    parser.add_argument("--config", metavar="CONFIG.json",
                        help="constructor arguments for --state-dict (the export's config layout)")
    parser.add_argument("--out", "-o", required=True, metavar="OUT.ncps.json", help="export file to write")
    parser.add_argument("--verify", metavar="INPUTS.json",
                        help="run the model on this inputs file and store output/final_state")
    parser.add_argument("--extra-config", metavar="JSON|FILE",
                        help="values ncps does not keep, as inline JSON or a file, "
                             "e.g. '{\"wiring\": {\"seed\": 1234}}'")
    parser.add_argument("--key", metavar="KEY", help="entry of a dict checkpoint to use (e.g. state_dict)")
    parser.add_argument("--prefix", metavar="PREFIX", help="with --state-dict: keep keys starting "
                        "with PREFIX and strip it (e.g. rnn.)")
    parser.add_argument("--submodule", metavar="PATH", help="with --checkpoint: dotted path of the "
                        "CfC/LTC inside a larger module (e.g. policy.rnn)")
    return parser


def run(args: argparse.Namespace) -> JsonDict:
    extra = _parse_extra(args.extra_config)
    if args.checkpoint:
        if args.config or args.prefix:
            raise ExportError("--config and --prefix go with --state-dict, not --checkpoint")
        model = load_checkpoint_model(args.checkpoint, args.key, args.submodule)
        return build_export(model, extra, args.verify)
    if not args.config:
        raise ExportError("--state-dict needs --config (the constructor arguments)")
    if args.submodule:
        raise ExportError("--submodule goes with --checkpoint; use --prefix with --state-dict")
    config = config_from_file(args.config)
    model = build_model(config)
    load_weights(model, load_state_dict(args.state_dict, args.key, args.prefix))
    return build_export(model, extra, args.verify, fill_config=config)


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Optional[str] = None) -> None:
    print(f"{SCRIPT}: warning: {message}", file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = make_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    try:
        document = run(args)
        write_json(document, args.out)
    except ExportError as exc:
        print(f"{SCRIPT}: error: {exc}", file=sys.stderr)
        return 1
    cfg = document["config"]
    size = cfg.get("units", (cfg.get("wiring") or {}).get("units"))
    print(f"{SCRIPT}: wrote {args.out}: {cfg['type']} ({size} units, {len(document['state_dict'])} "
          f"tensors{', with reference output' if 'output' in document else ''})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
