"""Networks the speed benchmarks share (compare_dcgan.py, train_throughput.py)."""

from __future__ import annotations


def dcgan28(latent_dim: int):
    """DCGAN for 28×28×1 images, the network of the README's speed table.

    G: z -> dense 7x7x128 -> BN ReLU -> convT 64 (x2) -> BN ReLU -> convT 1 (x2) tanh;
    D: 28x28x1 -> conv 64 s2 LReLU -> conv 128 s2 BN LReLU -> flatten -> dense 1.
    Returns ``(generator, discriminator)``.
    """
    import keras

    init = keras.initializers.RandomNormal(0.0, 0.02)
    bn = lambda: keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)  # noqa: E731
    z = keras.Input((latent_dim,))
    x = keras.layers.Dense(7 * 7 * 128, use_bias=False, kernel_initializer=init)(z)
    x = keras.layers.ReLU()(bn()(keras.layers.Reshape((7, 7, 128))(x)))
    x = keras.layers.Conv2DTranspose(64, 4, 2, "same", use_bias=False, kernel_initializer=init)(x)
    x = keras.layers.ReLU()(bn()(x))
    x = keras.layers.Conv2DTranspose(1, 4, 2, "same", activation="tanh", kernel_initializer=init)(x)
    generator = keras.Model(z, x, name="generator")
    images = keras.Input((28, 28, 1))
    y = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(64, 4, 2, "same", kernel_initializer=init)(images))
    y = keras.layers.Conv2D(128, 4, 2, "same", use_bias=False, kernel_initializer=init)(y)
    y = keras.layers.LeakyReLU(0.2)(bn()(y))
    y = keras.layers.Dense(1, kernel_initializer=init)(keras.layers.Flatten()(y))
    return generator, keras.Model(images, y, name="discriminator")
