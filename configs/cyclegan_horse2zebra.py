"""CycleGAN (Zhu et al. 2017, arXiv 1703.10593) on horse2zebra at 256x256, the paper's recipe (needs network).

TFDS ``cycle_gan/horse2zebra`` (1,067 horses, 1,334 zebras; splits trainA/trainB/testA/testB),
downloaded on first use (data.options_a/options_b.download). The paper's networks (9 residual
blocks, 70x70 PatchGAN), batch 1, λ = 10, identity 0.5·λ, Adam 2e-4 β1 0.5, 100 epochs constant
then 100 epochs of linear decay (1,334 steps an epoch). Days on CPU; hours on one GPU:
    python -m ganzoo.train --config=configs/cyclegan_horse2zebra.py --workdir=/tmp/h2z
Other pairs of the TFDS collection (apple2orange, summer2winter_yosemite, monet2photo, ...):
    --config.data.name="unpaired:tfds:cycle_gan/monet2photo|tfds:cycle_gan/monet2photo"
Your own folders in the CycleGAN layout (trainA/ trainB/ testA/ testB/):
    --config.data.name=unpaired_folder:/data/my_pair
"""

from ganzoo.config import base_config

EPOCH = 1334   # steps per epoch: the larger domain (zebras) at batch 1


def get_config():
    config = base_config()
    config.model.name = "cyclegan"
    config.model.base_filters = 64       # the paper's
    config.model.num_blocks = 9          # the paper's, at 256x256
    config.model.d_filters = 64
    config.model.d_layers = 3            # the 70x70 PatchGAN
    config.model.cycle_weight = 10.0
    config.model.identity_weight = 0.5
    config.model.pool_size = 50
    config.data.name = "unpaired:tfds:cycle_gan/horse2zebra|tfds:cycle_gan/horse2zebra"
    config.data.split_a = "{split}A"
    config.data.split_b = "{split}B"
    config.data.options_a = {"download": True}
    config.data.options_b = {"download": True}
    config.data.image_size = 256
    config.data.channels = 3
    config.train.batch_size = 1
    config.train.steps_per_epoch = EPOCH
    config.train.epochs = 200
    config.train.loss = "least_squares"
    schedule = {"class_name": "ganzoo>LinearDecay",
                "config": {"initial_learning_rate": 2e-4, "constant_steps": 100 * EPOCH, "decay_steps": 100 * EPOCH}}
    config.train.g_optimizer = dict(name="adam", learning_rate=schedule, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=schedule, beta_1=0.5)
    config.train.num_samples = 8
    config.train.sample_every = 5
    config.train.checkpoint_every = 1
    return config
