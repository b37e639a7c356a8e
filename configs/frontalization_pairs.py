"""TP-GAN-style face frontalization on your own paired faces (Multi-PIE-style folder).

Time depends on your data: at 64x64 a step of batch 16 costs what it does on synthfaces
(configs/frontalization_synthfaces.py: 3,000 steps in its 45-minute budget on 2 CPU cores).
    python -m ganzoo.train --config=configs/frontalization_pairs.py --workdir=/tmp/tpgan_pairs \
        --config.data.name=pairs:/data/faces --config.model.num_identities=<identities in the folder>

The folder layout (``<identity>/<yaw>/<image>`` + ``landmarks.txt``) is documented in
ganzoo/data/pairs.py. Set ``model.template`` to your aligned frontals' mean landmark positions
(fractions of the image size) and, optionally, ``model.identity_weights`` to a local identity
network.
"""

from ml_collections import config_dict

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "frontalization"
    config.model.num_identities = 337           # Multi-PIE's subject count; set yours
    config.model.g_filters = 16
    config.model.local_filters = 16
    config.model.d_filters = 32
    config.model.bottleneck = 256
    config.model.pixel_weight = 1.0
    config.model.sym_weight = 0.3
    config.model.adv_weight = 1e-3
    config.model.ip_weight = 3e-3
    config.model.tv_weight = 1e-4
    config.model.identity_filters = 16
    config.model.identity_weights = config_dict.placeholder(str)  # None: train on the folder's identities
    config.model.identity_steps = 3000
    config.model.identity_learning_rate = 1e-3
    config.model.identity_max_yaw = 30.0
    # (x, y) of left eye, right eye, nose tip, mouth corners in aligned frontals, as fractions.
    config.model.template = [[0.35, 0.42], [0.65, 0.42], [0.5, 0.58], [0.38, 0.72], [0.62, 0.72]]
    config.data.name = "pairs:/data/faces"
    config.data.image_size = 64
    config.train.epochs = 20
    config.train.batch_size = 16
    config.train.loss = "non_saturating"
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.num_samples = 36
    return config
