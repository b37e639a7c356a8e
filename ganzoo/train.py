r"""Trains a model from a config: ``python -m ganzoo.train --config=configs/NAME.py --workdir=DIR``.

Override any config key on the command line, e.g. ``--config.train.epochs=5``
or ``--config.data.image_size=64``. The run writes, under ``--workdir``:

    config.json              the resolved config
    checkpoints/backup/      a backup every ``train.checkpoint_every`` epochs (and
                             every ``train.backup_every_steps`` steps if > 0);
                             re-running an interrupted command resumes from it,
                             mid-epoch included, to the same total step count
    checkpoints/model.keras  the trained model (``keras.models.load_model``); with
                             ``train.eval_every`` > 0 the best-evaluated weights (``keep_best``)
    checkpoints/best/        those best weights and the evaluation curve (``BestCheckpoint``)
    samples/epoch_NNNN.png   fixed-noise sample grids
    logs/                    TensorBoard scalars and sample images
    metrics.json             final metrics, wall time, samples/s
    saved_model/             the generator for TF Serving (``ganzoo.export``)

A workdir that holds a finished run (``metrics.json``) is refused unless
``--overwrite``; one with an interrupted run of the same config resumes.
The script only wires config -> data -> model -> fit -> export.
"""

from __future__ import annotations

import os

# oneDNN kernels are off by default on AVX2-only CPUs and about double a DCGAN
# step there; the variable must be set before TensorFlow is imported.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from ganzoo import startup  # noqa: E402  (TensorFlow's start-up lines hidden unless --verbosity >= 1)

startup.import_tensorflow()

import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from absl import app, flags, logging  # noqa: E402
from ml_collections import config_flags  # noqa: E402

from ganzoo import config as config_lib  # noqa: E402
from ganzoo.errors import GanzooError  # noqa: E402

# The files and folders a run writes; --overwrite removes only these, and only
# when each holds nothing but what ganzoo writes there (checked before removing any).
OUTPUTS = ("config.json", "checkpoints", "samples", "logs", "metrics.json", "saved_model")
_OUTPUT_CHILDREN = {
    "checkpoints": re.compile(r"backup|best|model\.keras(\.partial\.keras)?"),
    "samples": re.compile(r"epoch_\d+\.png"),
    "logs": re.compile(r"train|validation|samples|eval"),
}


def removable_outputs(workdir: str) -> list[str]:
    """The outputs of an earlier run in ``workdir`` that ``--overwrite`` removes.

    Raises before anything is removed when one of them is a symlink, has the
    wrong kind (a folder where ganzoo writes a file) or holds a file ganzoo
    does not write, naming it.
    """
    from ganzoo.export import check_export_dir

    found = []
    for name in OUTPUTS:
        path = os.path.join(workdir, name)
        if not os.path.lexists(path):
            continue
        if os.path.islink(path):
            _refuse_overwrite(path, "is a symlink ganzoo did not create")
        is_file = name.endswith(".json")
        if is_file != os.path.isfile(path):
            _refuse_overwrite(path, f"is a {'folder' if is_file else 'file'}, not what ganzoo writes there")
        if name == "saved_model":
            check_export_dir(path, "ganzoo.train")
        for child in os.listdir(path) if name in _OUTPUT_CHILDREN else ():
            child_path = os.path.join(path, child)
            if os.path.islink(child_path) or not _OUTPUT_CHILDREN[name].fullmatch(child):
                _refuse_overwrite(child_path, "was not written by ganzoo")
        found.append(path)
    return found


def _refuse_overwrite(path: str, why: str) -> None:
    raise GanzooError(
        f"ganzoo.train: --overwrite would remove '{path}', which {why}; nothing was removed. "
        "Move it out of the workdir or choose another --workdir."
    )


def prepare_workdir(workdir: str, config: dict[str, Any], overwrite: bool) -> bool:
    """Checks ``workdir`` against a previous run. Returns True when resuming.

    Nothing is written here: ``config.json`` is recorded only once the model
    builds, so a config that fails validation leaves no run behind (and a run
    that fails before its first backup removes it again, see ``train``).
    """
    finished = os.path.exists(os.path.join(workdir, "metrics.json"))
    config_path = os.path.join(workdir, "config.json")
    if overwrite:
        for path in removable_outputs(workdir):
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
    elif finished:
        raise GanzooError(
            f"ganzoo.train: workdir '{workdir}' already holds a finished run (metrics.json); "
            "pass --overwrite to replace it or choose another --workdir."
        )
    elif os.path.exists(config_path):
        try:
            with open(config_path) as handle:
                previous = json.load(handle)
        except (OSError, ValueError) as error:
            raise GanzooError(
                f"ganzoo.train: workdir '{workdir}' has an unreadable config.json ({error}); pass "
                "--overwrite to start over or choose another --workdir."
            ) from None
        if _with_train_defaults(previous) != _with_train_defaults(config):
            raise GanzooError(
                f"ganzoo.train: workdir '{workdir}' holds an interrupted run with a different "
                "config; re-run with the same config to resume, pass --overwrite to start "
                "over, or choose another --workdir."
            )
        return True
    return False


def _with_train_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with every train key; a run recorded before a key existed used its default."""
    if not isinstance(config.get("train"), dict):
        return config
    return {**config, "train": {**config_lib.TRAIN_DEFAULTS, **config["train"]}}


def check_writable(workdir: str, needed_mb: int = 200) -> None:
    """Fails before training when ``workdir`` cannot be written or its disk is nearly full."""
    try:
        os.makedirs(workdir, exist_ok=True)
        probe = os.path.join(workdir, ".ganzoo_write_test")
        with open(probe, "w") as handle:
            handle.write("ok")
        os.remove(probe)
    except OSError as error:
        raise GanzooError(
            f"ganzoo.train: cannot write to workdir '{workdir}' ({error.strerror}); "
            "choose a writable --workdir."
        ) from None
    free_mb = shutil.disk_usage(workdir).free // 2**20
    if free_mb < needed_mb:
        raise GanzooError(
            f"ganzoo.train: only {free_mb} MB free on the disk of '{workdir}'; a run needs about "
            f"{needed_mb} MB for checkpoints and exports. Free space or choose another --workdir."
        )


def write_config(workdir: str, config: dict[str, Any]) -> None:
    """Records the resolved config once the model has been built from it."""
    from ganzoo.utils import atomic

    os.makedirs(workdir, exist_ok=True)
    atomic.write_json(os.path.join(workdir, "config.json"), config)


def weights_hash(model) -> str:
    """SHA-256 of every generator and discriminator weight, in order (equal runs, equal hash)."""
    import hashlib

    digest = hashlib.sha256()
    for network in (model.generator, model.discriminator):
        for weight in network.weights:
            digest.update(weight.numpy().tobytes())
    return digest.hexdigest()


def build(config: dict[str, Any], element_spec) -> Any:
    """The model named by ``config['model']`` for data of ``element_spec``, compiled."""
    from ganzoo import models as models_lib

    model_config = dict(config["model"])
    name = model_config.pop("name")
    spec = element_spec[0] if isinstance(element_spec, tuple) else element_spec
    model_config[models_lib.DATA_SHAPE_ARG[name]] = tuple(int(d) for d in spec.shape[1:])
    model_config.setdefault("seed", config["seed"])
    model = models_lib.get(name)(**model_config)
    compile_model(model, config["train"])
    return model


def compile_model(model: Any, train: dict[str, Any]) -> None:
    """Compiles ``model`` with the optimizers, loss and regularizers of a config's ``train`` group.

    ``train["regularizers"]`` maps registered regularizer classes to their arguments; the older
    shorthand keys (``feature_matching``, ``pulling_away``, ``balance_gamma``, ...) still work.
    """
    from ganzoo.training import regularizers

    shorthands = {key: train[key] for key in regularizers.SHORTHANDS if key in train}
    shorthands["feature_layer"] = shorthands.get("feature_layer") or None
    shorthands["balance_gamma"] = shorthands.get("balance_gamma") or None
    model.compile(
        g_optimizer=config_lib.make_optimizer(train["g_optimizer"], "g_optimizer"),
        d_optimizer=config_lib.make_optimizer(train["d_optimizer"], "d_optimizer"),
        loss=train["loss"],
        d_steps=train["d_steps"],
        label_smoothing=train["label_smoothing"],
        regularizers=regularizers.from_spec(train.get("regularizers")),
        reuse_fakes=train["reuse_fakes"],
        augment=train.get("augment"),
        steps_per_execution=train["steps_per_execution"],
        jit_compile=train["jit_compile"],
        **shorthands,
    )


def preview_callback(model: Any, config: dict[str, Any], dataset, directory: str, log_dir: str):
    """Samples from fixed noise (``SampleGrid``), or, for a model that turns input images into
    images (SRGAN, frontalization), its outputs on fixed held-out inputs (``HeldOutPreview``)."""
    import tensorflow as tf

    from ganzoo import callbacks as callbacks_lib
    from ganzoo import data as data_lib

    train_cfg = config["train"]
    first = next(iter(dataset))
    if not callbacks_lib.image_conditions(model, first):
        return callbacks_lib.SampleGrid(directory, num=train_cfg["num_samples"], seed=config["seed"],
                                        every=train_cfg["sample_every"], log_dir=log_dir)
    options = dict(config["data"])
    name, options["split"] = options.pop("name"), "test"
    num = min(8, int(train_cfg["num_samples"]))
    try:
        held_out = next(iter(data_lib.load(name, batch_size=num, seed=config["seed"], **options)))
    except (GanzooError, ValueError, tf.errors.OpError, StopIteration):
        logging.warning("ganzoo.train: %s has no test split to preview; the previews show training inputs.", name)
        held_out = first
    return callbacks_lib.HeldOutPreview(directory, held_out, num=num, every=train_cfg["sample_every"],
                                        log_dir=log_dir)


def train(config: Any, workdir: str, overwrite: bool = False, verbose: int | str = "auto") -> dict[str, Any]:
    """Runs the whole job for ``config`` in ``workdir``; returns the metrics written.

    The chief holds ``workdir``'s lock (``ganzoo.utils.lock``) from before it
    looks at the workdir until the run ends, so a second run there is refused.
    """
    import contextlib

    from ganzoo import distribute
    from ganzoo.utils.lock import WorkdirLock

    config = config_lib.to_dict(config)
    # Multi-worker collectives must be set up before any other TensorFlow work
    # (validation builds optimizers, which creates variables).
    strategy = distribute.get_strategy(config.get("strategy", "default"))
    seed_before_import(config)
    config_lib.validate(config)
    chief = distribute.is_chief(strategy)
    with WorkdirLock(workdir, "ganzoo.train") if chief else contextlib.nullcontext():
        return _train_locked(config, workdir, overwrite, verbose, strategy, chief)


def seed_before_import(config: Any) -> None:
    """Seeds Python, NumPy, TensorFlow and Keras with ``config``'s seed (when it is valid).

    Call it before ``ganzoo.models`` is first imported (validation imports it):
    the model modules' module-level initializers draw their seeds from Python's
    ``random`` when imported, so seeded first, two fresh processes of one command
    build the same initial weights.
    """
    import keras

    seed = config.get("seed") if isinstance(config, dict) else getattr(config, "seed", None)
    if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**32:
        keras.utils.set_random_seed(seed)


def _train_locked(config: dict[str, Any], workdir: str, overwrite: bool, verbose: int | str,
                  strategy: Any, chief: bool) -> dict[str, Any]:
    import keras

    from ganzoo import callbacks as callbacks_lib
    from ganzoo import data as data_lib

    if chief:
        resuming = prepare_workdir(workdir, config, overwrite)
        check_writable(workdir)
    else:  # other workers write nothing; they restore from the chief's backup
        resuming = os.path.exists(os.path.join(workdir, "checkpoints", "backup"))
    if resuming:
        logging.info("Resuming the interrupted run in %s.", workdir)
    keras.utils.set_random_seed(config["seed"])
    if config["train"]["deterministic"]:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    train_cfg = config["train"]
    data_options = dict(config["data"])
    data_name = data_options.pop("name")
    steps_per_epoch = int(train_cfg["steps_per_epoch"]) or None
    dataset = data_lib.load(
        data_name,
        batch_size=train_cfg["batch_size"],
        seed=config["seed"],
        repeat=steps_per_epoch is not None,
        **data_options,
    )
    if steps_per_epoch is None:
        check_epoch_has_steps(dataset, data_name, train_cfg["batch_size"])
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy(train_cfg["precision"])
    try:
        with strategy.scope():
            model = build(config, dataset.element_spec)
    finally:  # the layers keep their policy; later code in this process gets the old one
        keras.config.set_dtype_policy(policy)
    if chief and not resuming:
        write_config(workdir, config)
    try:
        return _fit_and_save(model, dataset, config, workdir, verbose, strategy, chief, resuming)
    except BaseException:
        # A run that fails before its first backup has nothing to resume: its
        # config.json must not hold up the next attempt with a corrected config.
        backups = os.path.join(workdir, "checkpoints", "backup")
        if chief and not resuming and not callbacks_lib.Backup.backups(backups):
            os.remove(os.path.join(workdir, "config.json"))
        raise


def _fit_and_save(model: Any, dataset: Any, config: dict[str, Any], workdir: str, verbose: int | str,
                  strategy: Any, chief: bool, resuming: bool) -> dict[str, Any]:
    import keras

    from ganzoo import callbacks as callbacks_lib
    from ganzoo import distribute

    train_cfg = config["train"]
    steps_per_epoch = int(train_cfg["steps_per_epoch"]) or None
    join = lambda *parts: os.path.join(workdir, *parts)  # noqa: E731
    throughput = callbacks_lib.Throughput(train_cfg["batch_size"])
    backup = callbacks_lib.Backup(join("checkpoints", "backup"), every=train_cfg["checkpoint_every"],
                                  every_steps=train_cfg["backup_every_steps"], write=chief)
    callbacks = [callbacks_lib.StopOnNonFinite(), backup, throughput]
    best = best_checkpoint(config, join("checkpoints", "best"), join("logs")) if chief else None
    if chief:
        callbacks[2:2] = [
            preview_callback(model, config, dataset, join("samples"), join("logs")),
            keras.callbacks.TensorBoard(join("logs"), update_freq="epoch"),
        ]
    if best is not None:  # after Backup, whose backups hold the last weights (a resume goes on from them)
        callbacks.insert(2, best)
    if verbose == "auto":
        verbose = 1 if sys.stdout.isatty() else 2
    start = time.perf_counter()
    if distribute.needs_custom_loop(strategy):
        history = distribute.custom_fit(model, dataset, strategy, train_cfg["epochs"], steps_per_epoch,
                                        callbacks, verbose=verbose if chief else 0)
        model.finalize_ema()  # GAN.fit does this; the custom loop does not go through it
    else:
        history = model.fit(
            dataset,
            epochs=train_cfg["epochs"],
            steps_per_epoch=steps_per_epoch,
            callbacks=callbacks,
            verbose=verbose,
        )
    wall = time.perf_counter() - start
    final = {k: float(v[-1]) for k, v in history.history.items()}
    metrics = {
        "final": final,
        "epochs": int(train_cfg["epochs"]),
        "steps": int(model.g_optimizer.iterations.numpy()),
        "weights_hash": weights_hash(model),
        "wall_time_s": round(wall, 3),
        "samples_per_second": round(throughput.samples_per_second, 2),
        "resumed": resuming,
    }
    if best is not None:
        metrics["evaluation"] = best.summary()
        if best.restored:
            metrics["weights"] = f"best: {best.monitor} {best.best:.4g} at epoch {best.best_epoch}"
            logging.info("ganzoo.train: model.keras and saved_model hold the best weights (%s %.4g at epoch %d, "
                         "evaluated every %d epochs), not the last; train.keep_best=False keeps the last.",
                         best.monitor, best.best, best.best_epoch, best.every)
    if chief:
        save_outputs(model, workdir, metrics, backup._bytes_needed())
    return metrics


def best_checkpoint(config: dict[str, Any], directory: str, log_dir: str):
    """``BestCheckpoint`` for ``train.eval_every`` > 0 (None when 0): ``train.eval_metric`` of
    ``train.eval_samples`` samples against the data's held-out split (its training split, with a
    warning, when it has none); ``train.keep_best`` restores the best weights at the end."""
    train_cfg = config["train"]
    if not int(train_cfg.get("eval_every", 0)):
        return None
    import tensorflow as tf

    from ganzoo import callbacks as callbacks_lib
    from ganzoo import data as data_lib
    from ganzoo.evaluate import make_extractor

    monitor, kind = config_lib.EVAL_METRICS[train_cfg["eval_metric"]]
    options = dict(config["data"])
    name = options.pop("name")
    keys = ("image_size", "channels", "data_dir", "test_fraction", "split_seed")
    options = {k: options[k] for k in keys if options.get(k) not in (None, "")}
    count = int(train_cfg["eval_samples"])
    split = "test"
    try:
        real = data_lib.load(name, split="test", batch_size=count, shuffle=False, drop_remainder=False, **options)
        real = next(iter(real)).numpy()
    except (GanzooError, ValueError, tf.errors.OpError, StopIteration):
        logging.warning("ganzoo.train: %s has no test split; train.eval_metric compares with training images.", name)
        real = next(iter(data_lib.load(name, split="train", batch_size=count, seed=config["seed"], **options))).numpy()
        split = "train"
    return callbacks_lib.BestCheckpoint(
        real, make_extractor(kind, name, options), monitor=monitor, every_n_epochs=train_cfg["eval_every"],
        num_samples=count, patience=train_cfg["early_stop_patience"], directory=directory,
        restore=bool(train_cfg["keep_best"]), seed=config["seed"], log_dir=log_dir,
        reference={"source": name, "split": split, "count": len(real)},
    )


def check_epoch_has_steps(dataset: Any, data_name: str, batch_size: int) -> None:
    """Refuses a one-pass epoch of zero steps (a batch larger than the dataset)."""
    if int(dataset.cardinality()) == 0:
        raise GanzooError(
            f"ganzoo.train: train.batch_size={batch_size} is larger than dataset '{data_name}', so "
            "an epoch has 0 steps; lower train.batch_size or set train.steps_per_epoch."
        )


def save_outputs(model: Any, workdir: str, metrics: dict[str, Any], needed_bytes: int) -> None:
    """Writes the trained model, its export and metrics.json; a full disk is one line."""
    from ganzoo.export import save_generator
    from ganzoo.utils import atomic

    join = lambda *parts: os.path.join(workdir, *parts)  # noqa: E731
    path = join("checkpoints", "model.keras")
    try:
        model.save(path + ".partial.keras")
        os.replace(path + ".partial.keras", path)
        path = join("saved_model")
        save_generator(model, path, overwrite=True)
        path = join("metrics.json")
        atomic.write_json(path, metrics)
    except Exception as error:  # noqa: BLE001 — h5py and zipfile wrap a full disk in their own errors
        if not atomic.is_disk_full(error):
            raise
        raise atomic.disk_full_error(
            "ganzoo.train", path, needed_bytes, "the last backup is kept, so nothing is lost."
        ) from None
    logging.info("Done: %s", json.dumps(metrics))


def define_flags() -> None:
    """Defines the script's flags (only when run as a script, so modules can be imported together)."""
    config_flags.DEFINE_config_file(
        "config", None, "Path to a config file in configs/; override keys with --config.<group>.<key>=<value>."
    )
    flags.DEFINE_string("workdir", None, "Directory for checkpoints, samples, logs and exports.")
    flags.DEFINE_bool("overwrite", False, "Replace a finished run in --workdir.")


def main(argv: list[str], model_overrides: dict[str, str] | None = None) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    FLAGS = flags.FLAGS
    if FLAGS.config is None or not FLAGS.workdir:
        sys.exit("ganzoo.train: pass --config=configs/<name>.py and --workdir=<dir>.")
    try:
        seed_before_import(FLAGS.config)  # the overrides may import the models
        apply_model_overrides(FLAGS.config, model_overrides or {})
        train(FLAGS.config, FLAGS.workdir, overwrite=FLAGS.overwrite)
    except GanzooError as error:
        sys.exit(str(error))


def split_model_overrides(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Takes ``--config.model.KEY=VALUE`` out of ``argv``: a model's constructor arguments may be
    overridden even when the config file does not set them (``apply_model_overrides`` checks them)."""
    rest, overrides = [], {}
    for arg in argv:
        name, sep, value = arg.partition("=")
        if name.startswith("--config.model.") and name.count(".") == 2 and sep:
            overrides[name[len("--config.model."):]] = value
        else:
            rest.append(arg)
    return rest, overrides


def apply_model_overrides(config: Any, overrides: dict[str, str]) -> None:
    """Sets ``config.model.KEY`` from command-line text, typed like the key's current value (or
    the model constructor's default); keys must be the model's own arguments."""
    import ast

    if not overrides:
        return
    config.model.unlock()
    for key, text in overrides.items():
        if key in config.model:
            current = config.model[key]
        else:
            params = _model_parameters(config.model.name)
            if key not in params:
                known = sorted((set(config.model) | set(params)) - {"name"})
                raise GanzooError(
                    f"ganzoo.train: unknown config key model.{key} in --config.model.{key}; model "
                    f"'{config.model.name}' takes {', '.join(known)}."
                )
            current = params[key].default
        config.model[key] = _parse_value(f"--config.model.{key}={text}", text, current, ast)
    config.model.lock()


def _model_parameters(name: str) -> dict[str, Any]:
    """The keyword arguments of model ``name``'s constructor (imports ``ganzoo.models``)."""
    import inspect

    from ganzoo import models as models_lib

    params = inspect.signature(models_lib.get(name).__init__).parameters
    return {k: p for k, p in params.items() if k != "self" and p.kind is p.POSITIONAL_OR_KEYWORD}


def _parse_value(flag: str, text: str, like: Any, ast: Any) -> Any:
    """``text`` as a value of the type of ``like`` (a literal when ``like`` is None, a tuple, ...)."""
    try:
        if isinstance(like, bool):
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError("expected true or false")
            return text.lower() in ("true", "1")
        if isinstance(like, (int, float)):
            return type(like)(text)
        if isinstance(like, str):
            return text
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text if like is None else ast.literal_eval(text)
    except (ValueError, SyntaxError) as error:
        kind = {bool: "true or false", int: "a whole number", float: "a number"}.get(type(like), "a Python literal")
        raise GanzooError(f"ganzoo.train: flag {flag}: {error}; give {kind}.") from None


def _config_path(argv: list[str]) -> str | None:
    """The file named by ``--config=PATH`` (or ``--config PATH``), without ``:args``."""
    for i, arg in enumerate(argv):
        if arg.startswith("--config="):
            value = arg[len("--config="):]
        elif arg == "--config" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        return value if os.path.exists(value) or ":" not in value else value.split(":")[0]
    return None


def shipped_configs() -> str:
    """The folder of the configs that ship with ganzoo: ``ganzoo/configs`` in an installed
    wheel, the clone's ``configs/`` otherwise."""
    package = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(package, "configs")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(package), "configs")


def shipped_config_names() -> list[str]:
    """Names ``--config=`` takes without a path (``dcgan_digits``, ...)."""
    folder = shipped_configs()
    if not os.path.isdir(folder):
        return []
    return sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and not f.startswith("_"))


def resolve_config_name(argv: list[str]) -> list[str]:
    """``--config=dcgan_digits`` (a name, not a path) -> ``--config=<shipped configs>/dcgan_digits.py``."""
    resolved = list(argv)
    for i, arg in enumerate(argv):
        if not arg.startswith("--config="):
            continue
        name = arg[len("--config="):].split(":")[0]
        is_name = name in shipped_config_names() and not os.path.exists(name)
        if is_name:
            shipped = os.path.join(shipped_configs(), name + ".py")
            resolved[i] = "--config=" + shipped + arg[len("--config=") + len(name):]
    return resolved


def _parse_flags(argv: list[str]) -> list[str]:
    """absl's parsing, with one clear line for a missing config file, an unknown or mistyped
    config key."""
    path = _config_path(argv)
    if path is not None and not os.path.isfile(path):
        sys.exit(f"ganzoo.train: config file '{path}' does not exist; pass --config=configs/<name>.py "
                 f"or a shipped config's name ({', '.join(shipped_config_names())}).")
    try:
        return flags.FLAGS(argv)
    except flags.Error as error:
        sys.exit(f"ganzoo.train: {error}. Pass --helpshort to see the flags.")
    except (AttributeError, KeyError) as error:
        if "get_config" in str(error):
            sys.exit(f"ganzoo.train: config file '{path}' has no get_config(); a config file defines "
                     "get_config() returning ganzoo.config.base_config() with its values set.")
        detail = " ".join(str(error).replace("\\n", " ").replace("\\", "").replace("'", "").split())
        overrides = [a.split("=")[0] for a in argv if a.startswith("--config.")]
        sys.exit(
            f"ganzoo.train: unknown config key ({detail}) in {', '.join(overrides)}; "
            "use a key that the config file defines."
        )
    except Exception as error:  # noqa: BLE001 — a config file that fails to import
        detail = " ".join(str(error).split())[:300]
        sys.exit(f"ganzoo.train: config file '{path}' failed to load ({type(error).__name__}: {detail}); "
                 "fix the file or pass another --config.")


def run() -> None:
    """Console-script entry point (``ganzoo-train``)."""
    # Before the flags exist: ml_collections defines the override flags from sys.argv.
    sys.argv, model_overrides = split_model_overrides(resolve_config_name(sys.argv))
    define_flags()
    app.run(lambda argv: main(argv, model_overrides), flags_parser=_parse_flags)


if __name__ == "__main__":
    run()
