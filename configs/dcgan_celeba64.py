"""DCGAN on CelebA faces (TFDS celeb_a) at 64x64, the paper's face setting. Needs the data prepared.

Central 178x178 crop resized to 64x64; ~162,770 training images. Slow on CPU
(hours an epoch on 2 cores); meant for GPUs.
    python -m ganzoo.train --config=configs/dcgan_celeba64.py --workdir=/tmp/celeba \
        --config.data.data_dir=~/tensorflow_datasets
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "dcgan"
    config.model.latent_dim = 100
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.data.name = "tfds:celeb_a"
    config.data.image_size = 64
    config.data.channels = 3
    config.data.data_dir = ""
    config.data.download = True  # needs network on first use; False reads data_dir only
    config.train.epochs = 5
    config.train.batch_size = 128
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    return config
