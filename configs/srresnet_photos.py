"""SRResNet (Ledig et al. 2017, arXiv 1609.04802) at 4x on scikit-image's bundled photos, offline.

The acceptance run: about 30 minutes on 2 quiet CPU cores (measured: BUILD_NOTES.md), then the
benchmark on the held-out photos (astronaut, chelsea, coffee; never cropped for training):
    python -m ganzoo.train --config=configs/srresnet_photos.py --workdir=/tmp/srresnet
    python benchmarks/super_resolution.py --srresnet=/tmp/srresnet
MSE training only (adv_weight=0: the discriminator is never run, so it is built tiny). Departures
for a CPU budget, all model keys: 8 residual blocks of 32 channels (paper 16 of 64) and G predicts
a residual over bicubic upsampling (it starts at bicubic quality; the paper's does not).
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "srgan"
    config.model.scale = 4
    config.model.num_blocks = 8
    config.model.g_filters = 32
    config.model.batch_norm = True
    config.model.residual_to_bicubic = True
    config.model.content_loss = "mse"
    config.model.adv_weight = 0.0        # SRResNet: no adversarial term
    config.model.d_filters = 8           # unused (adv_weight=0); kept small
    config.model.d_dense = 16
    config.data.name = "photos"
    config.data.image_size = 96          # the paper's HR crop; LR crops are 24x24
    config.data.scale = 4
    config.data.extra_photos = False     # True adds the seven other bundled photographs (issue 26)
    config.train.batch_size = 16         # the paper's
    config.train.steps_per_epoch = 250
    config.train.epochs = 12
    config.train.num_samples = 16        # held-out crops super-resolved each epoch
    config.train.checkpoint_every = 2
    # Ledig et al.: Adam, beta_1 0.9, lr 1e-4 (for 1e6 steps); 3e-4 for a 3e3-step budget.
    config.train.g_optimizer = dict(name="adam", learning_rate=3e-4, beta_1=0.9)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.9)
    return config
