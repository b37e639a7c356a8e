r"""Does the image say what the caption says? GAN, GAN-CLS, GAN-INT and GAN-INT-CLS on ``shapes``.

    python benchmarks/text_to_image.py                       # the four variants, config budget
    python benchmarks/text_to_image.py --steps=300 --variants=gan,gan_int_cls   # a short check
    python benchmarks/text_to_image.py --model=/tmp/t2i/checkpoints/model.keras --variants=

Judge (``ganzoo.metrics.captions``): a small CNN with four softmax heads (shape, colour, size, position)
trained here on real ``shapes`` images of *every* combination (the
``classifier`` split); its accuracy on the real ``test`` and ``heldout`` images
is printed, so the judge is judged too. Each variant is built from
``configs/text2image_shapes.py`` (``--steps`` generator steps instead of the
config's epochs; all variants share one pretrained text encoder, so they
differ only in the GAN losses), then generates one image per caption for
``--num`` captions of the ``test`` split (seen combinations) and of the
``heldout`` split (colour-shape pairs never seen in training). Reported:
per-attribute accuracy and all-attribute accuracy (all four right).
``--model`` scores a trained run's model too. An interpolation grid
(caption A -> caption B at fixed noise, one row per noise) goes to ``--out``.

Prints a table, then one JSON line.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import ast  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import time  # noqa: E402

from absl import app, flags, logging  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganzoo import config as config_lib  # noqa: E402
from ganzoo import data as data_lib  # noqa: E402
from ganzoo.data import shapes  # noqa: E402
from ganzoo.metrics import captions  # noqa: E402
from ganzoo.models.text_to_image import TextToImageGAN  # noqa: E402
from ganzoo.utils import images as image_utils  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
VARIANTS = {  # name: (matching_aware, interpolate)
    "gan": (False, False),
    "gan_cls": (True, False),
    "gan_int": (False, True),
    "gan_int_cls": (True, True),
}
HEADS = [name for name, _ in shapes.ATTRIBUTES]
INTERPOLATIONS = [
    ("a large red circle on the left", "a large blue circle on the left"),
    ("a small green square at the top", "a large green square at the top"),
    ("a large yellow triangle on the left", "a large yellow triangle on the right"),
    ("a small blue diamond in the center", "a small red circle in the center"),
]

_VARIANTS = flags.DEFINE_list("variants", list(VARIANTS), "Variants to train: gan, gan_cls, gan_int, gan_int_cls.")
_STEPS = flags.DEFINE_integer("steps", 0, "Generator steps per variant (0: the config's epochs).")
_MODEL = flags.DEFINE_string("model", None, "Also score this trained .keras model (e.g. a ganzoo.train run's).")
_NUM = flags.DEFINE_integer("num", 500, "Captions scored per split.")
_IMAGE_SIZE = flags.DEFINE_integer("image_size", 0, "Image size (0: the config's).")
_PRETRAIN = flags.DEFINE_integer("pretrain_steps", -1, "Text-encoder pretraining steps (-1: the config's).")
_CLASSIFIER_EPOCHS = flags.DEFINE_integer("classifier_epochs", 8, "Epochs of the attribute classifier.")
_OUT = flags.DEFINE_string("out", "/tmp/text_to_image_benchmark", "Where the interpolation grids go.")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of everything.")
_D_CONDITIONING = flags.DEFINE_enum("d_conditioning", None, ["concat", "projection"],
                                    "How D reads the text (default: the config's).")
_SET = flags.DEFINE_list("set", [], "Model keys to override, KEY=VALUE (a Python literal or a word), "
                         "e.g. --set=tokens=words,encoder=bag_of_words.")


def load_config():
    spec = importlib.util.spec_from_file_location("text2image_shapes", ROOT / "configs" / "text2image_shapes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return config_lib.to_dict(module.get_config())


def shapes_splits(size: int, num: int) -> dict:
    """``{"seen": (captions, labels), "heldout": ...}``: the first caption of the first ``num`` images."""
    splits = {}
    for name, split in (("seen", "test"), ("heldout", "heldout")):
        data = shapes.arrays(split, size)
        splits[name] = (data["captions"][:num, 0].tolist(), data["labels"][:num])
    return splits


def train_judge(size: int, epochs: int, seed: int) -> tuple[captions.AttributeJudge, dict]:
    """The attribute classifier on real images of every combination, and its accuracy on real test images."""
    data = shapes.arrays("classifier", size)
    judge = captions.train_attribute_classifier(shapes.to_float(data["images"]).numpy(), data["labels"],
                                                shapes.ATTRIBUTES, epochs, seed)
    real = {}
    for name, split in (("seen", "test"), ("heldout", "heldout")):
        split_data = shapes.arrays(split, size)
        real[name] = judge.accuracy(shapes.to_float(split_data["images"]).numpy(), split_data["labels"])
    return judge, real


def interpolation_grid(model: TextToImageGAN, path: str, steps: int = 8, rows: int = 2) -> None:
    """For each caption pair, ``rows`` rows of ``steps`` images (one noise per row)."""
    tiles = [
        model.interpolate_text(a, b, steps=steps, seed=row)
        for a, b in INTERPOLATIONS for row in range(rows)
    ]
    image_utils.save_png(path, image_utils.make_grid(np.concatenate(tiles), columns=steps))


def train_variant(name: str, config: dict, steps: int, encoder: dict | None, seed: int) -> tuple[TextToImageGAN, float]:
    """One variant from the config; reuses ``encoder`` weights (text encoder, image encoder) when given."""
    keras.utils.set_random_seed(seed)
    matching_aware, interpolate = VARIANTS[name]
    model_config = {k: v for k, v in config["model"].items() if k != "name"}
    model_config.update(matching_aware=matching_aware, interpolate=interpolate, seed=seed)
    size = config["data"]["image_size"]
    train = config["train"]
    dataset = data_lib.load(
        "shapes", batch_size=train["batch_size"], image_size=size, seed=seed, repeat=steps > 0,
        num_examples=config["data"].get("num_examples"),
    )
    model = TextToImageGAN(image_shape=(size, size, 3), **model_config)
    model.compile(
        g_optimizer=config_lib.make_optimizer(train["g_optimizer"], "g_optimizer"),
        d_optimizer=config_lib.make_optimizer(train["d_optimizer"], "d_optimizer"),
        loss=train["loss"],
    )
    if encoder is not None:
        model.text_encoder.set_weights(encoder["text"])
        model.image_encoder.set_weights(encoder["image"])
        model.text_pretrained.assign(1)
    start = time.perf_counter()
    if steps > 0:
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    else:
        model.fit(dataset, epochs=train["epochs"], verbose=0)
    return model, time.perf_counter() - start


def main(argv: list[str]) -> None:
    del argv
    logging.set_verbosity(logging.INFO)
    config = load_config()
    if _IMAGE_SIZE.value:
        config["data"]["image_size"] = _IMAGE_SIZE.value
    if _PRETRAIN.value >= 0:
        config["model"]["text_pretrain_steps"] = _PRETRAIN.value
    if _D_CONDITIONING.value:
        config["model"]["d_conditioning"] = _D_CONDITIONING.value
    for item in _SET.value:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise app.UsageError(f"--set: '{item}' is not KEY=VALUE (KEY a TextToImageGAN argument).")
        try:
            config["model"][key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            config["model"][key] = value
    size = config["data"]["image_size"]
    os.makedirs(_OUT.value, exist_ok=True)
    start = time.perf_counter()
    judge, real = train_judge(size, _CLASSIFIER_EPOCHS.value, _SEED.value)
    print(f"judge on real images: seen {real['seen']}, held-out {real['heldout']} "
          f"({time.perf_counter() - start:.0f} s)")
    results: dict = {"real": real}
    splits = shapes_splits(size, _NUM.value)
    times: dict = {}
    encoder = None
    for name in _VARIANTS.value:
        if name not in VARIANTS:
            raise app.UsageError(f"--variants: unknown variant '{name}'; choose from {', '.join(VARIANTS)}.")
        model, seconds = train_variant(name, config, _STEPS.value, encoder, _SEED.value)
        if encoder is None:
            encoder = {"text": model.text_encoder.get_weights(), "image": model.image_encoder.get_weights()}
            if model.pretrain_losses:
                print(f"text encoder: contrastive loss {model.pretrain_losses[0]:.3f} -> "
                      f"{np.mean(model.pretrain_losses[-20:]):.3f} in {len(model.pretrain_losses)} steps")
        times[name] = round(seconds, 1)
        results[name] = captions.caption_accuracy(model, judge, splits, _SEED.value)
        interpolation_grid(model, os.path.join(_OUT.value, f"interpolation_{name}.png"))
        print(f"{name}: trained in {seconds:.0f} s; {results[name]}", flush=True)
    if _MODEL.value:
        import ganzoo.utils.runs as runs

        model = runs.load_model(_MODEL.value)
        results["model"] = captions.caption_accuracy(model, judge, splits, _SEED.value)
        interpolation_grid(model, os.path.join(_OUT.value, "interpolation_model.png"))

    print()
    header = f"{'variant':<12} {'split':<8} " + " ".join(f"{h:>8}" for h in HEADS) + f" {'all':>8}"
    print(header)
    print("-" * len(header))
    for name, splits in results.items():
        for split, accuracy in splits.items():
            print(f"{name:<12} {split:<8} " + " ".join(f"{accuracy[h]:>8.1f}" for h in HEADS) + f" {accuracy['all']:>8.1f}")
    summary = {
        "image_size": size, "steps": _STEPS.value or None, "num": _NUM.value, "train_seconds": times,
        "accuracy": results, "interpolation_grids": _OUT.value,
        "wall_s": round(time.perf_counter() - start, 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    app.run(main)
