"""AC-GAN (class-conditional DCGAN) on scikit-learn's bundled digits at 32x32, offline.

Samples the digit asked for: generate(n, labels=[...]). About 36 minutes on 2 CPU cores shared
with other jobs (load 15-21; measured: BUILD_NOTES.md, "Class-conditional DCGAN (issue 23)").
    python -m ganzoo.train --config=configs/acgan_digits.py --workdir=/tmp/acgan
Projection discriminator instead: --config.model.conditioning=projection
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "conditional_dcgan"
    config.model.num_classes = 10
    config.model.conditioning = "auxiliary"   # Odena et al. 2017; "projection": Miyato & Koyama 2018
    config.model.class_weight = 1.0           # AC-GAN: L_C joins both players' losses at weight 1
    config.model.latent_dim = 100
    config.model.g_filters = 64
    config.model.d_filters = 64
    config.data.name = "digits"
    config.data.image_size = 32
    config.data.channels = 1
    config.data.with_labels = True
    config.train.epochs = 50
    # Keep the best checkpoint: FCD of 1,000 samples to the held-out digits every 5 epochs; the
    # saved model, its export and the preset hold the best-evaluated weights (train.keep_best).
    config.train.eval_every = 5
    config.train.eval_metric = "fcd"
    config.train.early_stop_patience = 4      # 20 epochs without a better FCD end the run
    config.train.batch_size = 64
    config.train.loss = "non_saturating"
    # Radford et al. 2015 (and AC-GAN's MNIST model): Adam, lr 2e-4, beta_1 0.5.
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    return config
