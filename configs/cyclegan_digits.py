"""CycleGAN (Zhu et al. 2017, arXiv 1703.10593): handwritten digits <-> printed digits at 16x16, offline.

Budget: <= 30 minutes on 2 CPU cores (10,000 steps of batch 16: 31 min 24 s on 2 cores shared
under a load average of ~20, 5,000 steps took 9 min 21 s under a lighter load; BUILD_NOTES.md).
A: scikit-learn's handwritten digits (light strokes on dark); B: ganzoo's printed digits (dark
ink on light paper, 20 fonts from matplotlib). Labels exist on both sides; training never
sees them. Then, on held-out images of both domains:
    python -m ganzoo.train --config=configs/cyclegan_digits.py --workdir=/tmp/cg
    python benchmarks/cyclegan.py --workdir=/tmp/cg
Departures from the paper's recipe: G scaled to 16x16 by its receptive field, not only its
width. The paper's G sees 169 of 256 pixels (66%); with its two stride-2 stages and 6 blocks at
16x16 it would see 121 pixels (756%) and may redraw one digit as another anywhere (a first run
did: 5.7% labels kept on the training images at step 1,500, BUILD_NOTES.md). Here G keeps full
resolution (downsamplings=0) with one residual block at k = 32: 17 pixels (106%), 22 k weights.
No identity loss (the paper uses it for painting -> photo only; the official code's default is
0.5·λ): it asks G to leave dark-on-light B images alone while turning A's light strokes dark, which
a local G cannot tell apart pixel by pixel (a run with it kept 4.9% labels on the training
images at step 2,000: G whitened everything, BUILD_NOTES.md).
D: the 34x34 PatchGAN (2 stride-2 layers) at k = 16. Batch 16 (paper 1); 10,000 steps with the
rate constant for the first half and linearly decayed to 0 over the second (paper: 100 + 100
epochs); 5,000 steps kept fewer labels (45.0% / 32.9% on the training images against 46.2% /
36.8%).
"""

from ganzoo.config import base_config

STEPS = 10000


def get_config():
    config = base_config()
    config.model.name = "cyclegan"
    config.model.base_filters = 32
    config.model.num_blocks = 1
    config.model.downsamplings = 0       # paper 2 (see the docstring)
    config.model.d_filters = 16
    config.model.d_layers = 2
    config.model.cycle_weight = 10.0     # λ, the paper's
    config.model.identity_weight = 0.0   # see the docstring (official code: 0.5)
    config.model.pool_size = 50          # the paper's
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
