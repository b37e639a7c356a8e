"""GAN-INT-CLS (Reed et al. 2016) on your own captioned images (CUB-200 / Oxford-102 layout), 64x64.

Set the folder on the command line (layout: ganzoo/data/captions.py, README):
    python -m ganzoo.train --config=configs/text2image_captions_folder.py \
        --config.data.name=captions:/data/birds --workdir=/tmp/t2i_birds
How long it takes depends on your data; time one epoch first (--config.train.epochs=1).
The paper trains for 600 epochs on a GPU.
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "text_to_image"
    config.model.latent_dim = 100            # paper: 100
    config.model.projection_dim = 128        # paper: 128
    config.model.text_dim = 256              # paper: 1024
    config.model.tokens = "characters"       # paper: characters (201 of them)
    config.model.max_length = 201
    config.model.encoder_width = 256
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.model.matching_aware = True
    config.model.interpolate = True
    config.model.interpolation_beta = 0.5
    config.model.text_pretrain_steps = 2000
    config.model.sample_captions = [
        "this bird is red with a black crown and a short pointed beak",
        "a small yellow bird with black wings and a white belly",
        "this flower has large pink petals and a yellow center",
        "a white flower with many thin petals",
    ]
    config.data.name = "captions:/path/to/captioned/images"
    config.data.image_size = 64              # paper: 64
    config.train.epochs = 100
    config.train.batch_size = 64
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    return config
