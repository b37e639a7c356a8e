"""TP-GAN-style face frontalization on ganzoo's rendered synthfaces at 64x64 (Huang et al. 2017).

Budget: <= 45 minutes on 2 CPU cores, all in (first render of the 500 identities, identity
network, 6,000 GAN steps of batch 16); step time measured in BUILD_NOTES.md. Then:
    python -m ganzoo.train --config=configs/frontalization_synthfaces.py --workdir=/tmp/tpgan
    python benchmarks/frontalization.py --workdir=/tmp/tpgan
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "frontalization"
    config.model.num_identities = 500          # = data.num_identities (labels are global)
    config.model.g_filters = 16                # 32 doubles the step time (measured)
    config.model.local_filters = 16
    config.model.d_filters = 32
    config.model.bottleneck = 256               # the paper's fc/maxout width
    # L_syn = L_pixel + 0.3 L_sym + 1e-3 L_adv + 3e-3 L_ip + 1e-5 L_tv: the paper's weights but
    # λ4. L_tv is a sum over pixels and L_pixel a mean; at 64x64 in [-1, 1], λ4 = 1e-4 pushed each
    # output pixel 2.8x harder than L_pixel and cost more on the truth (0.057) than the whole
    # pixel loss of a trained run (0.040): it flattened eyes and mouths (BUILD_NOTES.md).
    config.model.pixel_weight = 1.0
    config.model.sym_weight = 0.3
    config.model.adv_weight = 1e-3
    config.model.ip_weight = 3e-3
    config.model.tv_weight = 1e-5
    # The identity network: trained inside fit, before the first GAN step, on frontals and
    # poses within +-30 degrees of the training identities, then frozen.
    config.model.identity_filters = 16
    config.model.identity_steps = 1500
    config.model.identity_learning_rate = 1e-3
    config.model.identity_max_yaw = 30.0
    config.data.name = "synthfaces"
    config.data.image_size = 64
    config.data.num_identities = 500            # 400 train / 100 test identities
    config.data.variants = 2                    # lighting variants per identity
    config.train.epochs = 24                    # 24 x 250 = 6,000 steps of batch 16
    config.train.steps_per_epoch = 250
    config.train.batch_size = 16
    config.train.loss = "non_saturating"
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.num_samples = 36
    config.train.sample_every = 4
    config.train.checkpoint_every = 2
    return config
