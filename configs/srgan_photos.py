"""SRGAN (Ledig et al. 2017, arXiv 1609.04802) at 4x on scikit-image's bundled photos, two phases, offline.

One run: SRResNet MSE pre-training for ``model.pretrain_steps`` generator steps (the same
recipe as configs/srresnet_photos.py), then GAN fine-tuning initialised from it. About 30 + 25
minutes on 2 quiet CPU cores. Or start from a finished SRResNet run and fine-tune only:
    python -m ganzoo.train --config=configs/srgan_photos.py --workdir=/tmp/srgan \
        --config.model.init_generator=/tmp/srresnet/checkpoints/model.keras \
        --config.model.pretrain_steps=0 --config.train.epochs=4
    python benchmarks/super_resolution.py --srresnet=/tmp/srresnet --srgan=/tmp/srgan
Content loss: pixel MSE (the paper's SRGAN-MSE), because VGG19 weights are not shipped; the
paper's SRGAN-VGG54 is --config.model.content_loss=vgg with GANZOO_VGG19_WEIGHTS pointing at a
local vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5. Departures as srresnet_photos, plus a
half-width discriminator (d_filters 32; paper 64).
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
    config.model.vgg_weights = ""        # "" reads $GANZOO_VGG19_WEIGHTS (content_loss="vgg")
    config.model.adv_weight = 1e-3       # the paper's
    config.model.pretrain_steps = 3000   # = srresnet_photos' 12 x 250 steps
    config.model.init_generator = ""     # or a trained SRResNet's checkpoints/model.keras
    config.model.d_filters = 32
    config.model.d_dense = 1024          # the paper's
    config.data.name = "photos"
    config.data.image_size = 96
    config.data.scale = 4
    config.train.batch_size = 16
    config.train.steps_per_epoch = 250
    config.train.epochs = 16             # 12 pre-training + 4 GAN epochs
    config.train.num_samples = 16
    config.train.checkpoint_every = 2
    config.train.loss = "non_saturating"  # -log D(G(lr)), the paper's
    config.train.g_optimizer = dict(name="adam", learning_rate=3e-4, beta_1=0.9)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.9)
    return config
