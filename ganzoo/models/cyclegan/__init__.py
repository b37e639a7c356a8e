"""CycleGAN (Zhu, Park, Isola, Efros 2017, arXiv 1703.10593): unpaired image-to-image translation.

    networks.py    the ResNet generator (``build_generator``), the PatchGAN (``build_discriminator``),
                   ``ReflectionPadding2D``
    pool.py        ``HistoryPool``: the 50 past translations each discriminator trains on
    semantic.py    ``ShapeClasses``, ``match_shape_classes``: classes shared by two domains, found
                   without labels, for ``semantic_weight``; ``build_class_net``, ``train_class_net``:
                   the CNN that reads them (``semantic_classifier="cnn"``)
    model.py       ``CycleGAN``: phases g (both generators) and d (both discriminators), translation
                   and serving both ways; ``LinearDecay``, the paper's learning-rate schedule
"""

from ganzoo.models.cyclegan.model import PAPER_LOSS_WEIGHTS, CycleGAN, LinearDecay, l1_per_example
from ganzoo.models.cyclegan.networks import (
    ReflectionPadding2D,
    build_discriminator,
    build_generator,
    instance_norm,
    receptive_field,
    size_multiple,
)
from ganzoo.models.cyclegan.pool import HistoryPool
from ganzoo.models.cyclegan.semantic import ShapeClasses, build_class_net, match_shape_classes, train_class_net

__all__ = ["CycleGAN", "HistoryPool", "LinearDecay", "PAPER_LOSS_WEIGHTS", "ReflectionPadding2D", "ShapeClasses",
           "build_class_net", "build_discriminator", "build_generator", "instance_norm", "l1_per_example",
           "match_shape_classes", "receptive_field", "size_multiple", "train_class_net"]
