"""CycleGAN (Zhu et al. 2017, arXiv 1703.10593): handwritten digits <-> printed digits at 16x16, offline.

Budget: <= 30 minutes on 2 CPU cores (10,000 steps of batch 16: 11 min 35 s with the machine
to itself; 24 min with a second run beside it; BUILD_NOTES.md).
A: scikit-learn's handwritten digits (light strokes on dark); B: ganzoo's printed digits (dark
ink on light paper, 20 fonts from matplotlib). Labels exist on both sides; training never
sees them. Then, on held-out images of both domains:
    python -m ganzoo.train --config=configs/cyclegan_digits.py --workdir=/tmp/cg
    python benchmarks/cyclegan.py --workdir=/tmp/cg
Departures from the paper's recipe:
- A class-keeping term (``semantic_weight=10``, ``semantic_classifier="cnn"``; not in the paper):
  CyCADA's semantic consistency with classes found without labels. Before the first step, the
  HOG shape descriptors of 2,000 images of each side are clustered (20 clusters of A, 10 of B:
  the classes) and each A cluster is named after a B cluster by its images' nearest B images, in
  a balanced assignment refined by how the clusters relate to each other
  (``ganzoo.models.cyclegan.semantic``); then a small CNN per side is trained for 10 epochs on
  those images and classes. G(a) is asked to be read by B's CNN as a's class (by A's CNN), and
  F(b) likewise. Weight 1 / 3 / 10 kept 79.6 / 82.8 / 86.0% of the handwritten training digits'
  labels (BUILD_NOTES.md); the cosine classifier over the clusters' centroids
  (``semantic_classifier="descriptor"``) kept 78.8%.
- A shape-keeping term (``structure_weight=0.5``, not in the paper): 1 − cos between the HOG
  descriptors of each translation and its input, polarity, size and place aside
  (``ganzoo.ops.hog.shape_descriptor``). Cycle consistency allows any permutation of the classes,
  and a generator that sees most of the image used it (one stride-2 stage alone: 7.9% of labels
  kept on the training images); with weight 2 and no class term the same generator keeps 56.8% /
  61.9%. With the class term, weight 0.5 keeps as many labels as 2 (85.9% / 95.0% against
  86.0% / 95.2% on the training images) with a lower FCD (5.6 / 8.2 against 6.7 / 10.0).
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
    config.model.structure_weight = 0.5  # not in the paper (see the docstring)
    config.model.semantic_weight = 10.0  # not in the paper (see the docstring)
    config.model.semantic_classifier = "cnn"
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
