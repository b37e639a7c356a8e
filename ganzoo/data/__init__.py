"""Datasets: ``load(name, ...)`` returns a batched ``tf.data.Dataset``.

Offline by default: ``digits`` (ships with scikit-learn), ``mixture2d:*`` and
``shapes`` (captioned shapes) and ``synthfaces`` (rendered posed faces with frontal
truth and landmarks; generated). ``tfds:<name>``, ``folder:<path>``,
``captions:<path>`` (images with caption files) and ``pairs:<path>`` (posed and
frontal faces with landmarks) read users' data.
"""

from ganzoo.data import captions, digits, folder, mixture2d, pairs, shapes, synthfaces, tfds  # noqa: F401  (registers the sources)
from ganzoo.data.registry import Source, list_datasets, load, register

__all__ = ["load", "register", "list_datasets", "Source"]
