r"""Samples a trained model to a PNG: ``python -m ganzoo.sample --workdir=DIR --num=64 --out=grid.png``.

Loads ``DIR/checkpoints/model.keras`` (or ``--model=PATH.keras``), draws
``--num`` samples from noise fixed by ``--seed`` and writes an image grid (a
scatter plot for 2-D point models). ``--npy=PATH`` also saves the raw float32
samples. Existing files are kept unless ``--overwrite``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import sys  # noqa: E402

from absl import app, flags  # noqa: E402

from ganzoo.errors import GanzooError  # noqa: E402

_WORKDIR = flags.DEFINE_string("workdir", None, "A ganzoo.train workdir.")
_MODEL = flags.DEFINE_string("model", None, "A .keras model file (instead of --workdir).")
_NUM = flags.DEFINE_integer("num", 64, "How many samples.")
_SEED = flags.DEFINE_integer("seed", 0, "Noise seed: the same seed gives the same samples.")
_OUT = flags.DEFINE_string("out", "samples.png", "PNG file to write.")
_NPY = flags.DEFINE_string("npy", None, "Optional .npy file for the raw samples.")
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace existing output files.")


def sample(workdir: str | None, model: str | None, num: int, seed: int, out: str,
           npy: str | None = None, overwrite: bool = False) -> str:
    import numpy as np

    from ganzoo.utils import images
    from ganzoo.utils.runs import load_model, model_path

    if num < 1:
        raise GanzooError(f"ganzoo.sample: --num={num} must be at least 1.")
    for path in filter(None, (out, npy)):
        if os.path.exists(path) and not overwrite:
            raise GanzooError(f"ganzoo.sample: '{path}' exists; pass --overwrite or another path.")
    gan = load_model(model_path(workdir, model, "ganzoo.sample"))
    samples = gan.generate(num, seed=seed)
    images.save_samples(out, samples)
    if npy:
        np.save(npy, samples)
    return out


def main(argv: list[str]) -> None:
    del argv
    try:
        path = sample(_WORKDIR.value, _MODEL.value, _NUM.value, _SEED.value, _OUT.value,
                      _NPY.value, _OVERWRITE.value)
    except GanzooError as error:
        sys.exit(str(error))
    print(f"wrote {path}")


def run() -> None:
    """Console-script entry point (``ganzoo-sample``)."""
    app.run(main)


if __name__ == "__main__":
    run()
