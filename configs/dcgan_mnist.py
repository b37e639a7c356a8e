"""DCGAN on MNIST (TFDS) at 32x32. Needs network on first use, or a prepared data_dir.

About 60,000 images an epoch: roughly 3-4 minutes an epoch on 2 CPU cores.
    python -m ganzoo.train --config=configs/dcgan_mnist.py --workdir=/tmp/mnist \
        --config.data.data_dir=~/tensorflow_datasets
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "dcgan"
    config.model.latent_dim = 100
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.data.name = "tfds:mnist"
    config.data.image_size = 32  # DCGAN sizes are powers of two
    config.data.channels = 1
    config.data.data_dir = ""
    config.data.download = True  # needs network on first use; False reads data_dir only
    config.train.epochs = 5
    config.train.batch_size = 128  # Radford et al. 2015
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    return config
