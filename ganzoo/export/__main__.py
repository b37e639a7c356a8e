r"""Exports a trained run for TF Serving: ``python -m ganzoo.export --workdir=DIR --export_dir=PATH``.

Loads ``DIR/checkpoints/model.keras`` (or ``--model=FILE.keras``) and writes the
generator as a SavedModel (see ``ganzoo.export.save_generator``). An existing
``--export_dir`` is kept unless ``--overwrite``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import sys  # noqa: E402

from absl import app, flags  # noqa: E402

from ganzoo.errors import GanzooError  # noqa: E402

_WORKDIR = flags.DEFINE_string("workdir", None, "A ganzoo.train workdir.")
_MODEL = flags.DEFINE_string("model", None, "A .keras model file (instead of --workdir).")
_EXPORT_DIR = flags.DEFINE_string("export_dir", None, "SavedModel directory to write.")
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace an existing export.")


def main(argv: list[str]) -> None:
    del argv
    from ganzoo.export import save_generator
    from ganzoo.utils.runs import load_model, model_path

    try:
        if not _EXPORT_DIR.value:
            raise GanzooError("ganzoo.export: pass --export_dir=PATH for the SavedModel.")
        model = load_model(model_path(_WORKDIR.value, _MODEL.value, "ganzoo.export"))
        save_generator(model, _EXPORT_DIR.value, overwrite=_OVERWRITE.value)
    except GanzooError as error:
        sys.exit(str(error))
    print(f"wrote {_EXPORT_DIR.value}")


def run() -> None:
    """Console-script entry point (``ganzoo-export``)."""
    app.run(main)


if __name__ == "__main__":
    run()
