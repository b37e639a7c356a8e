r"""ganzoo vs a plain keras.io-style Keras train_step vs PyTorch eager, same DCGAN networks.

    TF_ENABLE_ONEDNN_OPTS=1 python benchmarks/compare_dcgan.py [--sizes=28,64] [--rounds=5]

Networks (identical parameter counts in all three):
  DCGAN-28: G z(100) -> dense 7x7x128 -> BN ReLU -> convT 64 (x2) -> BN ReLU -> convT 1 (x2) tanh;
            D 28x28x1 -> conv 64 s2 LReLU -> conv 128 s2 BN LReLU -> flatten -> dense 1.
  DCGAN-64: Radford et al. 2015 at 64x64x3, ngf = ndf = 64 (ganzoo.models.DCGAN's networks).
Batch 64, Adam(2e-4, 0.5), non-saturating loss, one D and one G update per step.

(a) ganzoo: `ganzoo.models.GAN(generator, discriminator).fit` with the options
    ganzoo's configs use (see --jit/--reuse); (b) plain Keras: the keras.io
    "DCGAN overriding train_step" pattern (real and fake concatenated through D,
    a second G forward for the G step), `fit`; (c) PyTorch eager (when `torch` is
    installed), the PyTorch DCGAN example's loop (G(z) reused for the G step).
Each framework runs ``--steps`` steps per round after a warm-up; rounds alternate
between frameworks so that machine noise hits all alike; the median round counts.
Prints a table, then one JSON line (the last) with ganzoo_img_s, keras_img_s,
pytorch_img_s, vs_keras and vs_pytorch for the first size.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from absl import app, flags  # noqa: E402
import numpy as np  # noqa: E402

import networks  # noqa: E402  (benchmarks/networks.py, beside this script)

_SIZES = flags.DEFINE_list("sizes", ["28", "64"], "Image sizes: 28 and/or 64.")
_ROUNDS = flags.DEFINE_integer("rounds", 5, "Alternating timing rounds.")
_STEPS = flags.DEFINE_integer("steps", 0, "Steps per round (0: 40 at 28, 8 at 64).")
_BATCH = flags.DEFINE_integer("batch", 64, "Batch size.")
_JIT = flags.DEFINE_string("jit", "false", "ganzoo jit_compile: false (default: slower with oneDNN here), true, auto (XLA at 28 only).")
_REUSE = flags.DEFINE_bool("reuse", True, "ganzoo: reuse the D step's G(z) for the G step (compile option).")
_SPE = flags.DEFINE_integer("steps_per_execution", 0, "ganzoo steps_per_execution (0: = steps per round).")
_PRECISION = flags.DEFINE_string(
    "ganzoo_precision", "float32",
    "ganzoo's Keras dtype policy (mixed_bfloat16: bf16 math, float32 weights; the others stay float32).")
_FRAMEWORKS = flags.DEFINE_list("frameworks", ["ganzoo", "keras", "pytorch"], "Which to time.")

LATENT = 100


# ----------------------------------------------------------------------------- Keras networks


def keras_networks(size: int):
    from ganzoo.models import dcgan

    if size == 64:
        return dcgan.build_generator((64, 64, 3), LATENT, 64), dcgan.build_discriminator((64, 64, 3), 64)
    return networks.dcgan28(LATENT)


def shape_of(size: int):
    return (28, 28, 1) if size == 28 else (64, 64, 3)


def dataset(size: int, batch: int):
    import tensorflow as tf

    x = np.random.default_rng(0).uniform(-1, 1, (batch * 4,) + shape_of(size)).astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True).cache().repeat()
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(2).with_options(options)


# ----------------------------------------------------------------------------- (a) ganzoo


def ganzoo_runner(size: int, batch: int, steps: int):
    import keras

    from ganzoo.models import GAN

    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy(_PRECISION.value)  # as ganzoo.train builds under train.precision
    try:
        generator, discriminator = keras_networks(size)
        gan = GAN(generator, discriminator)
    finally:
        keras.config.set_dtype_policy(policy)
    jit = {"auto": size == 28, "true": True, "false": False}[_JIT.value]
    compile_kwargs = dict(
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        jit_compile=jit,
        steps_per_execution=_SPE.value or steps,
    )
    if _REUSE.value:
        compile_kwargs["reuse_fakes"] = True
    try:
        gan.compile(**compile_kwargs)
    except TypeError:  # a ganzoo without the reuse option
        compile_kwargs.pop("reuse_fakes")
        gan.compile(**compile_kwargs)
    data = dataset(size, batch)
    gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)  # warm-up: tracing, XLA

    def run():
        start = time.perf_counter()
        gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
        return time.perf_counter() - start

    return run


# ----------------------------------------------------------------------------- (b) plain Keras


def keras_runner(size: int, batch: int, steps: int):
    import keras
    import tensorflow as tf

    class KerasIOGAN(keras.Model):
        """The keras.io 'DCGAN overriding train_step' pattern."""

        def __init__(self, discriminator, generator):
            super().__init__()
            self.discriminator, self.generator = discriminator, generator
            self.seed_generator = keras.random.SeedGenerator(1337)

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_metric, self.g_loss_metric]

        def train_step(self, real_images):
            batch_size = tf.shape(real_images)[0]
            z = keras.random.normal((batch_size, LATENT), seed=self.seed_generator)
            generated = self.generator(z)
            combined = tf.concat([generated, real_images], axis=0)
            labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
            with tf.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(combined))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            z = keras.random.normal((batch_size, LATENT), seed=self.seed_generator)
            misleading = tf.zeros((batch_size, 1))
            with tf.GradientTape() as tape:
                g_loss = self.loss_fn(misleading, self.discriminator(self.generator(z)))
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            self.d_loss_metric.update_state(d_loss)
            self.g_loss_metric.update_state(g_loss)
            return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}

    generator, discriminator = keras_networks(size)
    gan = KerasIOGAN(discriminator, generator)
    gan.compile(
        keras.optimizers.Adam(2e-4, beta_1=0.5),
        keras.optimizers.Adam(2e-4, beta_1=0.5),
        keras.losses.BinaryCrossentropy(from_logits=True),
    )
    data = dataset(size, batch)
    gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)

    def run():
        start = time.perf_counter()
        gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
        return time.perf_counter() - start

    return run


# ----------------------------------------------------------------------------- (c) PyTorch eager


def pytorch_runner(size: int, batch: int, steps: int):
    try:
        import torch
        from torch import nn
    except ImportError:
        return None
    torch.manual_seed(0)
    if size == 28:
        generator = nn.Sequential(
            nn.Linear(LATENT, 7 * 7 * 128, bias=False), nn.Unflatten(1, (128, 7, 7)),
            nn.BatchNorm2d(128), nn.ReLU(True),
            nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),
        )
        discriminator = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True),
            nn.Flatten(), nn.Linear(128 * 7 * 7, 1),
        )
    else:
        ngf = ndf = 64
        generator = nn.Sequential(
            nn.Linear(LATENT, 4 * 4 * ngf * 8, bias=False), nn.Unflatten(1, (ngf * 8, 4, 4)),
            nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, 3, 4, 2, 1), nn.Tanh(),
        )
        discriminator = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0), nn.Flatten(),
        )
    channels = shape_of(size)[2]
    real = torch.rand(batch, channels, size, size) * 2 - 1
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def step():
        discriminator.zero_grad()
        fake = generator(torch.randn(batch, LATENT))
        d_loss = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        d_loss.backward()
        opt_d.step()
        generator.zero_grad()
        g_loss = bce(discriminator(fake), ones)
        g_loss.backward()
        opt_g.step()

    for _ in range(3):
        step()

    def run():
        start = time.perf_counter()
        for _ in range(steps):
            step()
        return time.perf_counter() - start

    return run


def matmul_peak() -> float:
    """GFLOP/s of a 2048² float32 matmul in TF (best of 5)."""
    import tensorflow as tf

    a = tf.random.normal([2048, 2048])
    b = tf.random.normal([2048, 2048])
    tf.linalg.matmul(a, b).numpy()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * 2048**3 / best / 1e9


def main(argv: list[str]) -> None:
    del argv
    results = []
    peak = matmul_peak()
    for size in (int(s) for s in _SIZES.value):
        steps = _STEPS.value or (40 if size == 28 else 8)
        builders = {"ganzoo": ganzoo_runner, "keras": keras_runner, "pytorch": pytorch_runner}
        runners = {}
        for name in _FRAMEWORKS.value:
            runner = builders[name](size, _BATCH.value, steps)
            if runner is not None:
                runners[name] = runner
        times = {name: [] for name in runners}
        for _ in range(_ROUNDS.value):
            for name, run in runners.items():
                times[name].append(run())
        img_s = {name: steps * _BATCH.value / statistics.median(t) for name, t in times.items()}
        row = {"size": size, "batch": _BATCH.value, "steps_per_round": steps, "rounds": _ROUNDS.value}
        for name in ("ganzoo", "keras", "pytorch"):
            row[f"{name}_img_s"] = round(img_s[name], 1) if name in img_s else None
        for other in ("keras", "pytorch"):
            row[f"vs_{other}"] = round(img_s["ganzoo"] / img_s[other], 3) if {"ganzoo", other} <= set(img_s) else None
        results.append(row)
    print(f"TF 2048^2 matmul peak: {peak:.0f} GFLOP/s; ganzoo jit={_JIT.value} reuse={_REUSE.value} precision={_PRECISION.value}")
    print(f"{'size':>5}{'ganzoo img/s':>14}{'keras img/s':>13}{'pytorch img/s':>15}{'vs keras':>10}{'vs pytorch':>12}")
    for row in results:
        fmt = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
        fmt3 = lambda v: "-" if v is None else f"{v:.2f}x"  # noqa: E731
        print(f"{row['size']:>5}{fmt(row['ganzoo_img_s']):>14}{fmt(row['keras_img_s']):>13}"
              f"{fmt(row['pytorch_img_s']):>15}{fmt3(row['vs_keras']):>10}{fmt3(row['vs_pytorch']):>12}")
    first = results[0]
    print(json.dumps({**first, "matmul_gflops": round(peak, 1), "ganzoo_precision": _PRECISION.value, "all": results}))


if __name__ == "__main__":
    app.run(main)
