"""Datasets: ``load(name, ...)`` returns a batched ``tf.data.Dataset``.

Offline by default: ``digits`` (ships with scikit-learn), ``mixture2d:*`` and
``photos`` (scikit-image's bundled photographs, as super-resolution pairs),
``shapes`` (captioned shapes) and ``synthfaces`` (rendered posed faces with frontal
truth and landmarks; generated). ``tfds:<name>``, ``folder:<path>``,
``captions:<path>`` (images with caption files) and ``pairs:<path>`` (posed and
frontal faces with landmarks) and ``sr_crops:<path>`` (super-resolution pairs from
your images) read users' data. ``printed_digits`` (rendered from matplotlib's fonts) and
``unpaired:<A>|<B>`` / ``unpaired_folder:<root>`` serve unpaired translation (CycleGAN).
"""

from ganzoo.data import captions, digits, folder, mixture2d, pairs, photos, shapes, synthfaces, tfds  # noqa: F401  (registers the sources)
from ganzoo.data import printed_digits, unpaired  # noqa: F401  (registers the sources)
from ganzoo.data.registry import Source, list_datasets, load, register

__all__ = ["load", "register", "list_datasets", "Source"]
