"""The MLP GAN on the ring of 8 Gaussians (radius 2, std 0.02), the mode-collapse benchmark.

About 1-2 minutes on 2 CPU cores; samples/ holds scatter plots.
    python -m ganzoo.train --config=configs/vanilla_ring8.py --workdir=/tmp/ring8
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "vanilla"
    config.model.latent_dim = 8
    config.model.g_units = (128, 128)
    config.model.d_units = (128, 128)
    config.model.maxout = False
    config.model.pieces = 5
    config.model.dropout = 0.0
    config.data.name = "mixture2d:ring8"
    config.data.num_examples = 64_000
    config.train.epochs = 10
    config.train.batch_size = 256
    config.train.loss = "non_saturating"
    config.train.g_optimizer = dict(name="adam", learning_rate=1e-3, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-3, beta_1=0.5)
    config.train.num_samples = 2000
    return config
