"""The original MLP GAN (Goodfellow et al. 2014) on the bundled digits at 16x16, offline.

About 1-2 minutes on 2 CPU cores.
    python -m ganzoo.train --config=configs/vanilla_digits.py --workdir=/tmp/vanilla
Departs from the paper's SGD schedule: Adam trains these MLPs far faster here.
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "vanilla"
    config.model.latent_dim = 100
    config.model.g_units = (1200, 1200)
    config.model.d_units = (240, 240)
    config.model.maxout = True
    config.model.pieces = 5
    config.model.dropout = 0.5
    config.data.name = "digits"
    config.data.image_size = 16
    config.data.channels = 1
    config.train.epochs = 30
    config.train.batch_size = 100  # the paper's minibatch size
    config.train.loss = "non_saturating"
    config.train.d_steps = 1  # the paper's k = 1
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    return config
