"""WGAN-GP (Gulrajani et al. 2017) on the bundled digits at 32x32, DCGAN networks, layer-norm critic.

About 17 minutes on one CPU core (measured: BUILD_NOTES.md); the samples pass the main job's
check (10 classes, entropy >= 3.1 bits):
    python -m ganzoo.train --config=configs/wgan_gp_digits.py --workdir=/tmp/wgan_gp_digits
    python benchmarks/sample_quality.py --workdir=/tmp/wgan_gp_digits
Departure: the critic is half as wide as the generator (d_filters 32): its 5 steps a generator
step, each with the penalty's double backprop, dominate the cost.
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
    config.model.d_filters = 32         # half of G: 5 critic steps with double backprop dominate
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
