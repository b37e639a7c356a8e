"""LSGAN (Mao et al. 2017, "Least Squares Generative Adversarial Networks", arXiv 1611.04076).

D regresses real samples to 1 and fakes to 0; G pulls D(G(z)) to 1. ``hinge=True`` swaps in the
hinge loss (Lim & Ye 2017). A new ganzoo model: networks, two objectives, a config; no train_step.
"""

import keras
import tensorflow as tf

from ganzoo import losses
from ganzoo.models import GAN
from ganzoo.training import Term


def build_generator(image_shape, latent_dim):
    """``[batch, latent_dim] -> [batch, H, W, C]`` in [-1, 1]."""
    h, w, c = image_shape
    z = keras.Input((latent_dim,))
    x = keras.layers.Dense(h * w * 8 // 16, activation="relu")(z)
    x = keras.layers.Reshape((h // 4, w // 4, 8))(x)
    x = keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2DTranspose(c, 4, strides=2, padding="same", activation="tanh")(x)
    return keras.Model(z, x, name="generator")


def build_discriminator(image_shape):
    """``[batch, H, W, C] -> [batch, 1]`` raw scores."""
    x = inputs = keras.Input(image_shape)
    for filters in (16, 32):
        x = keras.layers.Conv2D(filters, 4, strides=2, padding="same")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(x)), name="discriminator")


@keras.saving.register_keras_serializable(package="my_gans")
class LSGAN(GAN):
    def __init__(self, image_shape=(16, 16, 1), latent_dim=16, hinge=False, seed=0, **kwargs):
        image_shape = tuple(image_shape)
        super().__init__(build_generator(image_shape, latent_dim), build_discriminator(image_shape),
                         latent_dim=latent_dim, seed=seed, **kwargs)
        self.image_shape, self.hinge = image_shape, bool(hinge)

    def discriminator_objective(self, step):
        real = self.discriminate(step.real, training=step.training)
        fake = self.discriminate(step.fakes(), training=step.training)
        loss = losses.hinge_discriminator_loss if self.hinge else losses.least_squares_discriminator_loss
        return {"d_adv": Term(loss(real, fake)), "d_real": tf.reduce_mean(real), "d_fake": tf.reduce_mean(fake)}

    def generator_objective(self, step):
        fake = self.discriminate(step.fakes(), training=step.training)
        loss = losses.hinge_generator_loss if self.hinge else losses.least_squares_generator_loss
        return {"g_adv": Term(loss(fake))}

    def get_config(self):
        return {"name": self.name, "image_shape": list(self.image_shape), "latent_dim": self.latent_dim,
                "hinge": self.hinge, "seed": self.seed}
