"""CycleGAN (Zhu et al. 2017, arXiv 1703.10593): handwritten digits <-> printed digits at 16x16, offline.

Budget: <= 30 minutes on 2 CPU cores (10,000 steps of batch 16: 13 min 8 s with the machine
mostly to itself; 19–22 min beside other jobs; BUILD_NOTES.md).
A: scikit-learn's handwritten digits (light strokes on dark); B: ganzoo's printed digits (dark
ink on light paper, 20 fonts from matplotlib). Labels exist on both sides; training never
sees them. Then, on held-out images of both domains:
    python -m ganzoo.train --config=configs/cyclegan_digits.py --workdir=/tmp/cg
    python benchmarks/cyclegan.py --workdir=/tmp/cg
Departures from the paper's recipe:
- A class-keeping term (``semantic_weight=1``, not in the paper): CyCADA's semantic consistency
  with classes found without labels. Before the first step, the HOG shape descriptors of 2,000
  images of each side are clustered (20 clusters of A, 10 of B: the classes) and each A cluster
  is named after a B cluster by its images' nearest B images, in a balanced assignment refined
  by how the clusters relate to each other (``ganzoo.models.cyclegan.semantic``). Then G(a) is
  asked to fall in a's class and F(b) in b's. The translators follow these classes (99.9% /
  99.8% by the descriptor); the classes were right for 90.6% / 98.4% of the training images, and
  78.8% / 85.5% of their labels were kept (56.8% / 61.9% without the term; BUILD_NOTES.md).
- A shape-keeping term (``structure_weight=2``, not in the paper): 1 − cos between the HOG
  descriptors of each translation and its input, polarity, size and place aside
  (``ganzoo.ops.hog.shape_descriptor``). Cycle consistency allows any permutation of the classes,
  and a generator that sees most of the image used it (one stride-2 stage alone: 7.9% of labels
  kept on the training images); with this term the same generator keeps 56.8% / 61.9% and draws
  more realistic digits (FCD 4.1 / 11.4; BUILD_NOTES.md). Weight 5 made no difference with this G.
- G with one stride-2 stage (paper 2) and one residual block at k = 32: it sees 25 of 16
  pixels a side. The paper's two stages at 16x16 would see 121 pixels and 6 blocks do not fit
  the 5 MB preset at this width.
- No identity loss (the paper uses it for painting -> photo only; the official code's default is
  0.5·λ): it asks G to leave dark-on-light B images alone while turning A's light strokes dark
  (a run with it kept 4.9% of labels on the training images at step 2,000, BUILD_NOTES.md).
D: the 34x34 PatchGAN (2 stride-2 layers) at k = 16. Batch 16 (paper 1); 10,000 steps with the
rate constant for the first half and linearly decayed to 0 over the second (paper: 100 + 100
epochs).
"""

from ganzoo.config import base_config

STEPS = 10000


def get_config():
    config = base_config()
    config.model.name = "cyclegan"
    config.model.base_filters = 32
    config.model.num_blocks = 1
    config.model.downsamplings = 1       # paper 2 (see the docstring)
    config.model.d_filters = 16
    config.model.d_layers = 2
    config.model.cycle_weight = 10.0     # λ, the paper's
    config.model.identity_weight = 0.0   # see the docstring (official code: 0.5)
    config.model.pool_size = 50          # the paper's
    config.model.structure_weight = 2.0  # not in the paper (see the docstring)
    config.model.semantic_weight = 1.0   # not in the paper (see the docstring)
    config.model.semantic_clusters = 20  # A's clusters
    config.model.semantic_classes = 10   # B's clusters: the classes
    config.data.name = "unpaired:digits|printed_digits"
    config.data.image_size = 16
    config.data.channels = 1
    config.train.batch_size = 16
    config.train.steps_per_epoch = 250
    config.train.epochs = STEPS // 250
    config.train.loss = "least_squares"
    schedule = {"class_name": "ganzoo>LinearDecay",
                "config": {"initial_learning_rate": 2e-4, "constant_steps": STEPS // 2, "decay_steps": STEPS // 2}}
    config.train.g_optimizer = dict(name="adam", learning_rate=schedule, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=schedule, beta_1=0.5)
    config.train.num_samples = 16
    config.train.sample_every = 2
    config.train.checkpoint_every = 1
    return config
