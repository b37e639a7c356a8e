r"""Exports a trained run: ``python -m ganzoo.export --workdir=DIR --export_dir=PATH [--format=onnx]``.

Loads ``DIR/checkpoints/model.keras`` (or ``--model=FILE.keras``, or ``--preset=NAME``, a
model that ships with ganzoo) and writes the
generator as a SavedModel for TF Serving (see ``ganzoo.export.save_generator``), or with
``--format=onnx|litert`` as ONNX / LiteRT files checked in their own runtime against the
Keras model (see ``ganzoo.export.export_model``). An existing ``--export_dir`` is kept
unless ``--overwrite``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from ganzoo import startup  # noqa: E402  (TensorFlow's start-up lines hidden unless --verbosity >= 1)

startup.import_tensorflow()

import sys  # noqa: E402

from absl import app, flags, logging  # noqa: E402

from ganzoo.errors import GanzooError  # noqa: E402


def define_flags() -> None:
    """Defines the script's flags (only when run as a script, so modules can be imported together)."""
    flags.DEFINE_string("workdir", None, "A ganzoo.train workdir.")
    flags.DEFINE_string("model", None, "A .keras model file (instead of --workdir).")
    flags.DEFINE_string("preset", None, "A preset that ships with ganzoo (python -m ganzoo.list shows them).")
    flags.DEFINE_string("export_dir", None, "Directory to write (the SavedModel, or the .onnx / .tflite files).")
    flags.DEFINE_enum("format", "saved_model", ["saved_model", "onnx", "litert"],
                      "saved_model (TF Serving), onnx (onnxruntime) or litert (.tflite).")
    flags.DEFINE_bool("overwrite", False, "Replace an existing export.")


def main(argv: list[str]) -> None:
    del argv
    from ganzoo.export import check_export_dir, export_model, prepare_directory
    from ganzoo.utils.runs import load_for_inference

    try:
        if not flags.FLAGS.export_dir:
            raise GanzooError("ganzoo.export: pass --export_dir=PATH for the export.")
        # Refuse before loading anything: without --overwrite any existing export,
        # with it anything that is not an earlier export.
        if not flags.FLAGS.overwrite:
            prepare_directory(flags.FLAGS.export_dir, overwrite=False)
        elif os.path.lexists(flags.FLAGS.export_dir):
            check_export_dir(flags.FLAGS.export_dir)
        model = load_for_inference(flags.FLAGS.workdir, flags.FLAGS.model, flags.FLAGS.preset, "ganzoo.export")
        quiet = startup.verbosity(sys.argv) < 1
        if quiet:  # TensorFlow's SavedModel writer logs a dozen INFO lines that say nothing to the user
            logging.set_verbosity(logging.WARNING)
        try:
            manifest = export_model(model, flags.FLAGS.export_dir, flags.FLAGS.format, overwrite=flags.FLAGS.overwrite)
        finally:
            if quiet:
                logging.set_verbosity(logging.INFO)
    except GanzooError as error:
        sys.exit(str(error))
    for record in manifest.get("files", []):
        print(f"{os.path.join(flags.FLAGS.export_dir, record['file'])}: {record['bytes'] / 1e6:.2f} MB, "
              f"max abs diff from Keras {record['max_abs_diff']:.1e}" + (f"; {record['note']}" if record["note"] else ""))
    print(f"wrote {flags.FLAGS.export_dir}")


def run() -> None:
    """Console-script entry point (``ganzoo-export``)."""
    define_flags()
    app.run(main)


if __name__ == "__main__":
    run()
