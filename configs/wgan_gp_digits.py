"""WGAN-GP (Gulrajani et al. 2017) on the bundled digits at 32x32, DCGAN networks, layer-norm critic.

Not yet timed on this machine (2026-11-24); a DCGAN-digits epoch is the scale, times ~5 for
the 5 critic steps per generator step. Check the samples with benchmarks/sample_quality.py.
    python -m ganzoo.train --config=configs/wgan_gp_digits.py --workdir=/tmp/wgan_gp_digits
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "wgan"
    config.model.network = "dcgan"
    config.model.lipschitz = "gradient_penalty"
    config.model.gp_weight = 10.0          # λ (paper)
    config.model.critic_norm = "layer"     # no batch norm in a WGAN-GP critic
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
    # Gulrajani et al. 2017: Adam, lr 1e-4, beta_1 0, beta_2 0.9.
    config.train.g_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.0, beta_2=0.9)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.0, beta_2=0.9)
    return config
