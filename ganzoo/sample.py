r"""Samples a trained model to an image: ``python -m ganzoo.sample --workdir=DIR --num=64 --out=grid.png``.

Loads ``DIR/checkpoints/model.keras`` (or ``--model=PATH.keras``, or a model that ships
with ganzoo: ``--preset=dcgan_digits``, see ``ganzoo.presets``) without its optimizers, draws
``--num`` samples from noise fixed by ``--seed`` and writes an image grid (a
scatter plot for 2-D point models): PNG, or JPEG when ``--out`` ends in .jpg or
.jpeg (other suffixes are refused). ``--npy=PATH`` also saves the raw float32
samples. Existing files are kept unless ``--overwrite``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from ganzoo import startup  # noqa: E402  (TensorFlow's start-up lines hidden unless --verbosity >= 1)

startup.import_tensorflow()

import sys  # noqa: E402

from absl import app, flags  # noqa: E402

from ganzoo.errors import GanzooError  # noqa: E402


def sample(workdir: str | None, model: str | None, num: int, seed: int, out: str,
           npy: str | None = None, overwrite: bool = False, preset: str | None = None) -> str:
    import numpy as np

    from ganzoo.utils import images
    from ganzoo.utils.runs import load_for_inference

    if num < 1:
        raise GanzooError(f"ganzoo.sample: --num={num} must be at least 1.")
    images.check_image_path(out, "ganzoo.sample")
    for path in filter(None, (out, npy)):
        if os.path.exists(path) and not overwrite:
            raise GanzooError(f"ganzoo.sample: '{path}' exists; pass --overwrite or another path.")
    gan = load_for_inference(workdir, model, preset, "ganzoo.sample")
    try:
        samples = gan.generate(num, seed=seed)
    except GanzooError:
        # A model that turns images into images (SRGAN, frontalization) needs inputs: show it
        # on held-out ones from its training data's test split, beside inputs and targets.
        held_out = held_out_batch(workdir, preset, num, seed)
        if held_out is None:
            raise
        from ganzoo import callbacks

        # A model may lay out its own rows (CycleGAN: input, translation, reconstruction both ways).
        rows = callbacks.preview_rows(gan, held_out, num)
        samples = rows[len(rows) // 3 : 2 * len(rows) // 3]
        images.save_png(out, images.make_grid(rows, columns=len(samples)))
    else:
        images.save_samples(out, samples)
    if npy:
        np.save(npy, samples)
    return out


def held_out_batch(workdir: str | None, preset: str | None, num: int, seed: int):
    """``num`` examples of the test split of the data a run or preset trained on; None if unknown."""
    import json

    from ganzoo import data

    options = None
    if workdir and os.path.isfile(os.path.join(workdir, "config.json")):
        with open(os.path.join(workdir, "config.json"), encoding="utf-8") as handle:
            options = dict(json.load(handle)["data"])
    elif preset:
        from ganzoo import config as config_lib
        from ganzoo import presets

        config = config_lib.load_file(presets.info(preset)["config"])
        options = None if config is None else dict(config_lib.to_dict(config)["data"])
    if not options:
        return None
    name = options.pop("name")
    options["split"] = "test"
    return next(iter(data.load(name, batch_size=min(int(num), 8), seed=seed, **options)))


def define_flags() -> None:
    """Defines the script's flags (only when run as a script, so modules can be imported together)."""
    flags.DEFINE_string("workdir", None, "A ganzoo.train workdir.")
    flags.DEFINE_string("model", None, "A .keras model file (instead of --workdir).")
    flags.DEFINE_string("preset", None, "A preset that ships with ganzoo (python -m ganzoo.list shows them).")
    flags.DEFINE_integer("num", 64, "How many samples.")
    flags.DEFINE_integer("seed", 0, "Noise seed: the same seed gives the same samples.")
    flags.DEFINE_string("out", "samples.png", "Image file to write: .png, or .jpg/.jpeg for JPEG.")
    flags.DEFINE_string("npy", None, "Optional .npy file for the raw samples.")
    flags.DEFINE_bool("overwrite", False, "Replace existing output files.")


def main(argv: list[str]) -> None:
    del argv
    try:
        path = sample(flags.FLAGS.workdir, flags.FLAGS.model, flags.FLAGS.num, flags.FLAGS.seed, flags.FLAGS.out,
                      flags.FLAGS.npy, flags.FLAGS.overwrite, flags.FLAGS.preset)
    except GanzooError as error:
        sys.exit(str(error))
    print(f"wrote {path}")


def run() -> None:
    """Console-script entry point (``ganzoo-sample``)."""
    define_flags()
    app.run(main)


if __name__ == "__main__":
    run()
