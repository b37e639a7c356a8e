"""Datasets: ``load(name, ...)`` returns a batched ``tf.data.Dataset``.

Offline by default: ``digits`` (ships with scikit-learn) and ``mixture2d:*``
(generated). ``tfds:<name>`` and ``folder:<path>`` read users' data.
"""

from ganzoo.data import digits, folder, mixture2d, tfds  # noqa: F401  (registers the sources)
from ganzoo.data.registry import Source, list_datasets, load, register

__all__ = ["load", "register", "list_datasets", "Source"]
