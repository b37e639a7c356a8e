"""PacGAN4 with cosine learning-rate decay on mixture2d:grid25: the mode-collapse benchmark's best run.

benchmarks/mode_coverage.py's ``pacgan4_cosine`` configuration, seed 0 (the benchmark's
experiment("pacgan4_cosine", "grid25", 0, 50_000, 512) has the same keys): the non-saturating MLP
GAN whose discriminator judges packs of 4 samples (Lin et al. 2018, arXiv 1712.04086), both Adam
rates decayed to 0 over the run. About 4 minutes on one CPU core (210-236 CPU-seconds for the
50,000 G steps, time.process_time, one TF thread; BUILD_NOTES.md has the 5-seed figures).
Departures from the paper: ganzoo's MLPs (G 3 x 128 ReLU, D 3 x 128 LeakyReLU, z in R^8),
batch 512 of fresh points, Adam 1e-3 (paper: 4 x 400 G, maxout D, batch 100, Adam 1e-4).
    python -m ganzoo.train --config=configs/pacgan_grid25.py --workdir=/tmp/pacgan_grid25
"""

from ganzoo.config import base_config

STEPS = 50_000


def _adam_cosine():
    schedule = {"class_name": "CosineDecay",
                "config": {"initial_learning_rate": 1e-3, "decay_steps": STEPS, "alpha": 0.0}}
    return dict(name="adam", learning_rate=schedule, beta_1=0.5, beta_2=0.999)


def get_config():
    config = base_config()
    config.model.name = "vanilla"
    config.model.latent_dim = 8
    config.model.g_units = (128, 128, 128)
    config.model.d_units = (128, 128, 128)
    config.model.maxout = False
    config.model.dropout = 0.0
    config.model.packing = 4
    config.data.name = "mixture2d:grid25"
    config.data.num_examples = 0  # an endless in-graph stream of fresh points
    config.train.epochs = 1
    config.train.steps_per_epoch = STEPS  # the cosine schedule spans exactly these steps
    config.train.batch_size = 512
    config.train.loss = "non_saturating"
    config.train.g_optimizer = _adam_cosine()
    config.train.d_optimizer = _adam_cosine()
    config.train.steps_per_execution = 500
    config.train.jit_compile = True
    config.train.num_samples = 2500
    return config
