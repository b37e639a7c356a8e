"""Writes the .keras files of tests/legacy/ with an *older* ganzoo, for test_legacy_files.py.

Run once with the ganzoo of commit d17742d (before the one-contract redesign) on the path:
    git worktree add /tmp/before d17742d && PYTHONPATH=/tmp/before python tests/legacy/make_legacy.py
Each model is tiny, compiled with options a user could have set, trained one step and saved; the
generator's outputs on fixed inputs go to outputs.npz for the loading test to compare.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from ganzoo import models, remedies

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def batches(x, size=4):
    return tf.data.Dataset.from_tensor_slices(x).batch(size, drop_remainder=True)


def main():
    keras.utils.set_random_seed(0)
    outputs = {}
    images = rng.uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    points = rng.normal(size=(8, 2)).astype("float32")
    z8, z2 = rng.normal(size=(3, 8)).astype("float32"), rng.normal(size=(3, 2)).astype("float32")

    dcgan = models.DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=4, d_filters=4)
    dcgan.compile(feature_matching=0.5, pulling_away=0.1, d_steps=2, label_smoothing=0.1)
    dcgan.fit(batches(images), verbose=0)
    dcgan.save(os.path.join(HERE, "dcgan.keras"))
    outputs["dcgan"] = np.asarray(dcgan.generator(z8))

    wgan = models.WGAN(data_shape=(2,), latent_dim=2, g_units=(8,), d_units=(8,))
    wgan.compile()
    wgan.fit(batches(points), verbose=0)
    wgan.save(os.path.join(HERE, "wgan_gp.keras"))
    outputs["wgan_gp"] = np.asarray(wgan.generator(z2))

    g = models.VanillaGAN(data_shape=(2,), latent_dim=2, g_units=(8,), d_units=(8,)).generator
    began = models.GAN(g, remedies.build_autoencoder_discriminator((2,), (8,), 4))
    began.compile(g_optimizer="adam", d_optimizer="adam", loss="began", balance_gamma=0.5)
    began.fit(batches(points), verbose=0)
    began.save(os.path.join(HERE, "began.keras"))
    outputs["began"] = np.asarray(began.generator(z2))
    outputs["began_k_t"] = np.asarray(began.k_t.value)

    lapgan = models.LAPGAN(image_shape=(16, 16, 1), levels=2, coarse_latent_dim=8, num_classes=3,
                           g_units=16, d_units=16, g_filters=4, d_filters=4)
    lapgan.compile()
    lapgan.fit(batches((images, np.arange(8) % 3)), verbose=0)
    lapgan.save(os.path.join(HERE, "lapgan.keras"))
    z = rng.normal(size=(3, lapgan.latent_dim)).astype("float32")
    outputs["lapgan_z"] = z
    outputs["lapgan"] = lapgan.generate(3, z=z, labels=[0, 1, 2])

    srgan = models.SRGAN(lr_shape=(8, 8, 3), scale=2, num_blocks=1, g_filters=8, d_filters=4, d_dense=8,
                         content_loss="mse", pretrain_steps=1, preview_data=None)
    srgan.compile()
    hr = rng.uniform(-1, 1, (4, 16, 16, 3)).astype("float32")
    lr = tf.image.resize(hr, (8, 8), antialias=True).numpy()
    srgan.fit(batches((lr, hr), 2), verbose=0)
    srgan.save(os.path.join(HERE, "srgan.keras"))
    outputs["srgan_lr"], outputs["srgan"] = lr, np.asarray(srgan.generator(lr))

    np.savez_compressed(os.path.join(HERE, "outputs.npz"), **outputs)


if __name__ == "__main__":
    main()
