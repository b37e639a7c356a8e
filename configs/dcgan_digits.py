"""DCGAN on scikit-learn's bundled digits at 32x32: ganzoo's main job, offline.

About 5 minutes on 2 CPU cores (measured: BUILD_NOTES.md).
    python -m ganzoo.train --config=configs/dcgan_digits.py --workdir=/tmp/run
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "dcgan"
    config.model.latent_dim = 100
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.data.name = "digits"
    config.data.image_size = 32
    config.data.channels = 1
    config.train.epochs = 60
    config.train.batch_size = 64
    config.train.loss = "non_saturating"
    # Radford et al. 2015: Adam, lr 2e-4, beta_1 0.5.
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    return config
