"""WGAN with weight clipping (Arjovsky et al. 2017) on the bundled digits at 32x32, DCGAN networks.

Not yet timed on this machine (2026-11-24). Clipping trains slowly (RMSProp 5e-5): expect
blurrier digits than WGAN-GP at the same budget.
    python -m ganzoo.train --config=configs/wgan_clip_digits.py --workdir=/tmp/wgan_clip_digits
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "wgan"
    config.model.network = "dcgan"
    config.model.lipschitz = "clip"
    config.model.clip_value = 0.01         # c (paper)
    config.model.critic_norm = "batch"     # the paper's DCGAN critic keeps batch norm
    config.model.latent_dim = 100
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.data.name = "digits"
    config.data.image_size = 32
    config.data.channels = 1
    config.train.epochs = 60
    config.train.batch_size = 64
    config.train.loss = "wasserstein"
    config.train.d_steps = 5               # n_critic (paper)
    # Arjovsky et al. 2017: RMSProp, lr 5e-5.
    config.train.g_optimizer = dict(name="rmsprop", learning_rate=5e-5)
    config.train.d_optimizer = dict(name="rmsprop", learning_rate=5e-5)
    return config
