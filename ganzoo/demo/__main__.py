r"""Serves the demo: ``python -m ganzoo.demo [--port=7860] [--host=127.0.0.1]``."""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from ganzoo import startup  # noqa: E402  (TensorFlow's start-up lines hidden unless --verbosity >= 1)

startup.import_tensorflow()

import sys  # noqa: E402

from absl import app, flags  # noqa: E402

from ganzoo.errors import GanzooError  # noqa: E402


def define_flags() -> None:
    """Defines the script's flags (only when run as a script, so modules can be imported together)."""
    flags.DEFINE_integer("port", 7860, "Port to serve on.")
    flags.DEFINE_string("host", "127.0.0.1", "Address to serve on (127.0.0.1: this machine only).")


def main(argv: list[str]) -> None:
    del argv
    from ganzoo.demo import app as demo_app

    port = flags.FLAGS.port
    if not 0 < port < 65536:
        sys.exit(f"ganzoo.demo: --port={port} is not a port; pass 1 to 65535.")
    try:
        demo_app.launch(port, flags.FLAGS.host)
    except GanzooError as error:
        sys.exit(str(error))
    except OSError as error:  # the port is taken
        sys.exit(f"ganzoo.demo: cannot serve on {flags.FLAGS.host}:{port} ({error}); pass another --port.")


def run() -> None:
    """Console-script entry point (``ganzoo-demo``)."""
    define_flags()
    app.run(main)


if __name__ == "__main__":
    run()
