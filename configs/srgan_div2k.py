"""SRGAN-VGG54 (Ledig et al. 2017, arXiv 1609.04802) with the paper's networks and schedule on DIV2K.

A GPU-scale config (1.1e6 steps of batch 16: weeks on CPU). Needs, prepared where there is
network, TFDS div2k (`tfds build div2k/bicubic_x4`, then --config.data.data_dir=...) and the VGG19
weights file vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (GANZOO_VGG19_WEIGHTS or
--config.model.vgg_weights). HR crops come from DIV2K's 800 2K training photos ('hr'); LR is made
by ganzoo's antialiased bicubic, not DIV2K's own LR files. Own photos: --config.data.name=sr_crops:/path/to/folder.
    python -m ganzoo.train --config=configs/srgan_div2k.py --workdir=/data/runs/srgan_div2k
Paper: SRResNet 1e6 steps, then SRGAN 2e5 steps at 1e-4 (ganzoo keeps 1e-4; the paper's 1e-5
for the last 1e5 needs an optimizer schedule, not offered by the config).
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "srgan"
    config.model.scale = 4
    config.model.num_blocks = 16
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.model.d_dense = 1024
    config.model.batch_norm = True
    config.model.residual_to_bicubic = False
    config.model.content_loss = "vgg"
    config.model.vgg_weights = ""         # "" reads $GANZOO_VGG19_WEIGHTS
    config.model.adv_weight = 1e-3
    config.model.pretrain_steps = 1_000_000
    config.model.init_generator = ""
    config.data.name = "sr_crops:tfds:div2k/bicubic_x4"
    config.data.image_key = "hr"
    config.data.data_dir = ""             # "" = TFDS's default (~/tensorflow_datasets)
    config.data.image_size = 96
    config.data.scale = 4
    config.data.crops_per_image = 16
    config.train.batch_size = 16
    config.train.steps_per_epoch = 1000
    config.train.epochs = 1200            # 1e6 SRResNet + 2e5 GAN steps
    config.train.num_samples = 16
    config.train.checkpoint_every = 5
    config.train.g_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.9)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.9)
    return config
