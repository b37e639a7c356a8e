"""WGAN-GP on mixture2d:ring8, the mode-collapse benchmark; MLPs as in benchmarks/mode_coverage.py.

Not yet timed as a ganzoo.train run (2026-11-24); the benchmark's wgan_gp runs are the scale.
Departure from Gulrajani et al.: Adam 1e-3, beta_1 0.5 (paper 1e-4, 0) to train in minutes.
    python -m ganzoo.train --config=configs/wgan_gp_ring8.py --workdir=/tmp/wgan_gp_ring8
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "wgan"
    config.model.network = "mlp"
    config.model.lipschitz = "gradient_penalty"
    config.model.gp_weight = 10.0
    config.model.latent_dim = 8
    config.model.g_units = (128, 128, 128)
    config.model.d_units = (128, 128)
    config.data.name = "mixture2d:ring8"
    config.data.num_examples = 64_000
    config.train.epochs = 6
    config.train.batch_size = 256
    config.train.loss = "wasserstein"
    config.train.d_steps = 5
    config.train.g_optimizer = dict(name="adam", learning_rate=1e-3, beta_1=0.5, beta_2=0.9)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-3, beta_1=0.5, beta_2=0.9)
    config.train.num_samples = 2500
    return config
