"""Datasets: ``load(name, ...)`` returns a batched ``tf.data.Dataset``.

Offline by default: ``digits`` (ships with scikit-learn), ``mixture2d:*`` and
``shapes`` (captioned shapes; generated). ``tfds:<name>``, ``folder:<path>`` and
``captions:<path>`` (images with caption files) read users' data.
"""

from ganzoo.data import captions, digits, folder, mixture2d, shapes, tfds  # noqa: F401  (registers the sources)
from ganzoo.data.registry import Source, list_datasets, load, register

__all__ = ["load", "register", "list_datasets", "Source"]
