"""CC-LAPGAN on CIFAR-10 (32x32 RGB, 8 -> 16 -> 32), the paper's class-conditional model.

Needs TensorFlow Datasets and a network connection the first time (or a
prepared data_dir: --config.data.data_dir=...). Not run end to end here: on 2
CPU cores this model (g_filters=64) trains at about 60-70 images/s (measured on
1-channel digits), i.e. about 13 minutes per 50,000-image epoch and 6-7 hours
for 30 epochs; use a GPU for the full run.
    python -m ganzoo.train --config=configs/lapgan_cifar10.py --workdir=/tmp/lap_cifar
Unconditional LAPGAN: --config.model.num_classes=0 --config.data.with_labels=False
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "lapgan"
    config.model.levels = 3               # 8x8 -> 16x16 -> 32x32 (paper: 8 -> 14 -> 28 on crops)
    config.model.coarse_latent_dim = 100  # paper: 100-d noise at the coarsest level
    config.model.num_classes = 10         # CC-LAPGAN: a one-hot label into every G_k and D_k
    config.model.g_units = 1200           # paper: G_0 has 1200 units per hidden layer
    config.model.d_units = 600            # paper: D_0 has 600
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.model.dropout = 0.5
    config.data.name = "tfds:cifar10"
    config.data.download = True  # needs network on first use; False reads data_dir only
    config.data.image_size = 32
    config.data.channels = 3
    config.data.with_labels = True
    config.train.epochs = 30
    config.train.batch_size = 64
    config.train.loss = "non_saturating"
    # Copied per level. The paper used SGD (lr 0.02, momentum 0.5 -> 0.8) and
    # Parzen-window model selection; Adam as in DCGAN needs no schedule.
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.sample_every = 1
    return config
