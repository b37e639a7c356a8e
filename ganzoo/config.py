"""Experiment configs: what a run trains, on what, for how long.

A config is an ``ml_collections.ConfigDict`` with the groups ``model``,
``data``, ``train``, ``seed`` and ``strategy``. Config files in ``configs/``
start from :func:`base_config`, so every key exists and can be overridden on
the command line (``--config.train.epochs=5``); unknown keys and wrong types
are refused when the flags are parsed, and :func:`validate` checks values
before the first step.

    model.name     a name from ganzoo.models.MODELS; the other model keys are
                   the model's constructor arguments (its data shape comes
                   from the dataset)
    data.name      a name for ganzoo.data.load; the other data keys are its options
    train.*        see TRAIN_DEFAULTS
"""

from __future__ import annotations

from collections.abc import Mapping
import inspect
from typing import Any

import keras
from ml_collections import config_dict

from ganzoo.errors import GanzooError

TRAIN_DEFAULTS: dict[str, Any] = {
    "epochs": 10,                # passes over the training split
    "steps_per_epoch": 0,        # 0: one pass over the data; >0: fixed steps (data repeats)
    "batch_size": 64,            # the global batch
    "loss": "non_saturating",    # a ganzoo.losses name
    "d_steps": 1,                # discriminator updates per generator update
    "label_smoothing": 0.0,      # one-sided; 0.1 makes real targets 0.9
    # None: the model's paper default; else {"name": "adam", "learning_rate": ..., ...}
    "g_optimizer": None,
    "d_optimizer": None,
    "steps_per_execution": 1,
    "jit_compile": "auto",       # True / False / "auto": XLA on a TPU or a single GPU, oneDNN on CPUs
    "precision": "float32",      # or mixed_float16 (loss-scaled) / mixed_bfloat16
    "sample_every": 1,           # epochs between sample grids
    "num_samples": 64,           # samples per grid
    "checkpoint_every": 1,       # epochs between backups for resume
    "backup_every_steps": 0,     # also back up every N steps within epochs; 0 = epoch ends only
    "deterministic": False,      # op determinism: bit-identical CPU runs for one seed (slower)
    "reuse_fakes": False,        # one G(z) for the last D update and the G update (GAN.compile)
    # The best checkpoint (ganzoo.callbacks.BestCheckpoint): every eval_every epochs (0 = off)
    # eval_metric ("fcd": FID on a digits-style classifier's features, "fid" on InceptionV3,
    # "kid") of eval_samples samples against the held-out split; with keep_best the
    # exported and saved model holds the best-evaluated weights, not the last.
    "eval_every": 0,
    "eval_metric": "fcd",
    "eval_samples": 1000,
    "keep_best": True,
    "early_stop_patience": 0,    # stop after N evaluations without improvement; 0 = never
    # Remedies (GAN.compile options; 0 / "" = off, see ganzoo.models.GAN.compile):
    "feature_matching": 0.0,     # weight of Salimans et al.'s feature-matching term
    "pulling_away": 0.0,         # weight of EBGAN's pulling-away term
    "pulling_away_on": "discriminator",
    "feature_layer": "",         # D layer for both; "" = D's last hidden layer
    "balance_gamma": 0.0,        # BEGAN equilibrium; > 0 needs loss="began"
    # Augmentation of D's inputs: "" (off), "diffaugment" or "ada", optionally with ops,
    # "diffaugment:color,translation,cutout" (ganzoo.training.DiffAugment / AdaptiveAugment).
    "augment": "",
    # Any registered regularizer by class name, with its arguments, e.g.
    # {"FeatureMatching": {"weight": 1.0}, "GradientPenalty": {"weight": 10.0}} (ganzoo.training).
    "regularizers": {},
}


PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
# train.eval_metric -> (the BestCheckpoint monitor, the extractor): FCD is FID on the features of
# a classifier trained on the dataset's labelled training split (ganzoo.metrics.domain_classifier).
EVAL_METRICS = {"fcd": ("fid", "domain_classifier"), "fid": ("fid", "inception_v3"),
                "kid": ("kid", "domain_classifier")}


def base_config() -> config_dict.ConfigDict:
    """A config with every group and train key, to be filled in by config files."""
    config = config_dict.ConfigDict()
    config.seed = 0
    config.strategy = "default"
    config.model = config_dict.ConfigDict({"name": ""})
    config.data = config_dict.ConfigDict({"name": "", "split": "train"})
    train = {k: (config_dict.placeholder(dict) if v is None else v) for k, v in TRAIN_DEFAULTS.items()}
    # jit_compile holds a bool or "auto": an untyped field (a typed one refuses the other kind).
    train["jit_compile"] = config_dict.FieldReference(train["jit_compile"], field_type=object)
    config.train = config_dict.ConfigDict(train)
    return config


def _fail(message: str) -> None:
    raise GanzooError(f"ganzoo.config: {message}")


def load_file(path: str) -> config_dict.ConfigDict | None:
    """The config of a config file (its ``get_config()``), or None when no such file is found.

    ``path`` is tried as given, then relative to the checkout this package sits in (a preset's
    ``config`` names ``configs/<name>.py`` that way).
    """
    import importlib.util
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (path, os.path.join(root, path)):
        if os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(candidate))[0], candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module.get_config()
    return None


def to_dict(config: Any) -> dict[str, Any]:
    """A plain-Python (JSON-ready) copy of a ConfigDict or dict."""
    if isinstance(config, config_dict.ConfigDict):
        return config.to_dict()
    return dict(config)


def make_optimizer(spec: Any, name: str) -> keras.optimizers.Optimizer | None:
    """``{"name": "adam", "learning_rate": 2e-4, ...}`` -> a Keras optimizer; None stays None.

    ``learning_rate`` may also be a Keras schedule in its serialized form, e.g.
    ``{"class_name": "CosineDecay", "config": {"initial_learning_rate": 3e-4,
    "decay_steps": 4500}}`` (any class of ``keras.optimizers.schedules``).
    """
    if spec is None:
        return None
    spec = dict(spec)
    kind = spec.pop("name", None)
    if not kind:
        _fail(f"train.{name} needs a 'name' (e.g. 'adam'), got {spec}.")
    rate = spec.get("learning_rate")
    if isinstance(rate, config_dict.ConfigDict):
        rate = rate.to_dict()
    if isinstance(rate, Mapping):
        try:
            spec["learning_rate"] = keras.optimizers.schedules.deserialize(
                {"class_name": rate["class_name"], "config": dict(rate["config"])})
        except (KeyError, TypeError, ValueError) as error:
            _fail(
                f"train.{name}.learning_rate={dict(rate)} is not a Keras learning-rate schedule "
                f"({error}); use e.g. {{'class_name': 'CosineDecay', 'config': "
                "{'initial_learning_rate': 3e-4, 'decay_steps': 4500}}."
            )
    try:
        cls = type(keras.optimizers.get(kind))
    except ValueError:
        _fail(f"train.{name}.name='{kind}' is not a Keras optimizer (e.g. adam, rmsprop, sgd).")
    try:
        return cls(**spec)
    except (TypeError, ValueError) as error:
        _fail(f"train.{name} has a bad argument for {cls.__name__}: {error}.")


def _check_kwargs(fn: Any, kwargs: dict[str, Any], group: str, exclude: tuple[str, ...] = ()) -> None:
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()) and fn is not None:
        params = {k: v for k, v in params.items() if v.kind is not v.VAR_KEYWORD}
    known = set(params) - set(exclude) - {"self"}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        _fail(
            f"{group} has unknown key(s) {', '.join(unknown)}; known keys are "
            f"{', '.join(sorted(known))}."
        )


# Numeric keys with a range beyond "a whole number >= 1" (checked by validate).
_AT_LEAST = {"train.steps_per_epoch": 0, "train.backup_every_steps": 0, "train.num_samples": 1,
             "train.eval_every": 0, "train.early_stop_patience": 0,
             "data.image_size": 1}
_FRACTIONS = ("dropout", "label_smoothing", "beta")  # keys in [0, 1)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_number(key: str, value: Any, minimum: float, fix: str = "") -> None:
    if _is_number(value) and value != value:  # NaN
        _fail(f"{key}=nan is not a number; {fix or 'give a finite value'}.")
    if _is_number(value) and value < minimum:
        bound = "at least 1" if minimum == 1 else ("positive" if minimum > 0 else "0 or more")
        _fail(f"{key}={value} must be {bound}{'; ' + fix if fix else ''}.")


def _learning_rate(spec: Any) -> Any:
    rate = dict(spec).get("learning_rate") if isinstance(spec, Mapping) else None
    if isinstance(rate, Mapping):  # a serialized schedule
        return dict(rate.get("config") or {}).get("initial_learning_rate")
    return rate


def check_ranges(config: dict[str, Any], model_params: Mapping[str, inspect.Parameter]) -> None:
    """Refuses numbers out of range (before the first step), naming the key.

    Model keys follow their constructor default: a whole number whose default
    is positive must be at least 1 (``latent_dim=0`` builds nothing), others at
    least 0; fractions such as dropout lie in [0, 1).
    """
    seed = config["seed"]
    if not _is_number(seed) or int(seed) != seed or not 0 <= seed < 2**32:
        _fail(f"seed={seed!r} must be a whole number from 0 to 2**32 - 1.")
    for key in ("g_optimizer", "d_optimizer"):
        rate = _learning_rate(config["train"].get(key))
        if _is_number(rate) and not rate > 0:
            _fail(f"train.{key}.learning_rate={rate} must be positive (e.g. 2e-4).")
    for group in ("train", "data", "model"):
        for key, value in dict(config[group]).items():
            name = f"{group}.{key}"
            values = value if isinstance(value, (list, tuple)) else [value]
            if not all(_is_number(v) for v in values) or not values:
                continue
            default = model_params[key].default if group == "model" and key in model_params else None
            if name in _AT_LEAST:
                minimum = _AT_LEAST[name]
            elif isinstance(value, (list, tuple)) or (isinstance(value, int) and (
                    group == "train" or (_is_number(default) and default >= 1) or key == "image_size")):
                minimum = 1
            else:
                minimum = 0
            for v in values:
                _check_number(name, v, minimum)
                if any(f in key for f in _FRACTIONS) and isinstance(v, float) and v >= 1:
                    _fail(f"{name}={v} must be below 1 (a fraction).")


def validate(config: Any) -> None:
    """Checks a config's groups and values; raises GanzooError naming the key and the fix."""
    from ganzoo import data as data_lib
    from ganzoo import distribute, losses
    from ganzoo import models as models_lib
    from ganzoo.training import augment

    config = to_dict(config)
    for group in ("model", "data", "train", "seed", "strategy"):
        if group not in config:
            _fail(f"the config has no '{group}' group; start config files from ganzoo.config.base_config().")
    extra = sorted(set(config) - {"model", "data", "train", "seed", "strategy"})
    if extra:
        _fail(f"unknown top-level key(s) {', '.join(extra)}; the groups are model, data, train, seed, strategy.")
    model = dict(config["model"])
    model_cls = models_lib.get(model.pop("name", ""))
    data_shape_arg = models_lib.DATA_SHAPE_ARG[config["model"]["name"]]
    if data_shape_arg in model:
        _fail(f"model.{data_shape_arg} comes from the dataset; set data.image_size/channels instead.")
    _check_kwargs(model_cls.__init__, model, "model", exclude=(data_shape_arg,))
    data = dict(config["data"])
    data_name = data.pop("name", "")
    data_lib.registry.resolve(data_name)  # unknown names fail here, before any loading
    train = dict(config["train"])
    unknown = sorted(set(train) - set(TRAIN_DEFAULTS))
    if unknown:
        _fail(f"train has unknown key(s) {', '.join(unknown)}; known keys are {', '.join(TRAIN_DEFAULTS)}.")
    for key in ("epochs", "batch_size", "d_steps", "steps_per_execution", "sample_every", "checkpoint_every"):
        if int(train.get(key, 1)) < 1:
            _fail(f"train.{key}={train[key]} must be at least 1.")
    packing = model.get("packing", 1)
    if packing != 1 and int(train.get("batch_size", 64)) % max(int(packing), 1):
        _fail(
            f"model.packing={packing} must divide train.batch_size={train['batch_size']} (the "
            "discriminator judges packs of that many samples); choose a multiple of it."
        )
    if train.get("eval_metric", "fcd") not in EVAL_METRICS:
        _fail(f"train.eval_metric='{train['eval_metric']}' is unknown; choose one of {', '.join(EVAL_METRICS)}.")
    if int(train.get("eval_every", 0)) < 0 or int(train.get("early_stop_patience", 0)) < 0:
        _fail(f"train.eval_every={train.get('eval_every')} and train.early_stop_patience="
              f"{train.get('early_stop_patience')} must be 0 (off) or positive.")
    if int(train.get("early_stop_patience", 0)) and not int(train.get("eval_every", 0)):
        _fail("train.early_stop_patience counts evaluations; set train.eval_every too (e.g. 5).")
    distribute.resolve_jit_compile(train.get("jit_compile", "auto"))  # True, False or "auto"
    if train.get("precision", "float32") not in PRECISIONS:
        _fail(f"train.precision='{train['precision']}' is unknown; choose one of {', '.join(PRECISIONS)}.")
    if int(train.get("steps_per_epoch", 0)) < 0:
        _fail(f"train.steps_per_epoch={train['steps_per_epoch']} must be 0 (one pass) or positive.")
    if int(train.get("backup_every_steps", 0)) < 0:
        _fail(
            f"train.backup_every_steps={train['backup_every_steps']} must be 0 (back up at epoch "
            "ends only) or a positive number of steps."
        )
    losses.get(train.get("loss", "non_saturating"), train.get("label_smoothing", 0.0))
    augment.from_option(train.get("augment"))  # an unknown name or op fails here
    for key in ("g_optimizer", "d_optimizer"):
        make_optimizer(train.get(key), key)
    check_ranges(config, inspect.signature(model_cls.__init__).parameters)
    if config["strategy"] not in distribute.STRATEGIES:
        _fail(f"strategy='{config['strategy']}' is unknown; choose one of {', '.join(distribute.STRATEGIES)}.")
