"""The same update on 1 replica and on 2: losses are averaged over the global batch.

MirroredStrategy over two logical CPUs runs in a subprocess, because logical
devices must be configured before TensorFlow initialises.
"""

import json
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, tensorflow as tf, keras
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from ganzoo.distribute import get_strategy
    from ganzoo.models import GAN

    def one_step(strategy_name):
        keras.utils.set_random_seed(0)
        strategy = get_strategy(strategy_name)
        with strategy.scope():
            # G ignores z on the first step (zero kernel), so the fakes, and hence D's
            # first update, do not depend on which replica drew which noise.
            g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(
                2, kernel_initializer="zeros", bias_initializer="ones")])
            d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(1)])
            gan = GAN(g, d)
            gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
        points = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
        history = gan.fit(tf.data.Dataset.from_tensor_slices(points).batch(8), epochs=1, verbose=0)
        return {
            "replicas": strategy.num_replicas_in_sync,
            "d_weights": [w.numpy().tolist() for w in d.weights],
            "d_loss": history.history["d_loss"][0],
        }

    print(json.dumps({"default": one_step("default"), "mirrored": one_step("mirrored")}))
    """
)


@pytest.mark.slow
def test_discriminator_update_is_the_same_on_one_and_two_replicas():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = json.loads(result.stdout.strip().splitlines()[-1])
    assert runs["default"]["replicas"] == 1 and runs["mirrored"]["replicas"] == 2
    import numpy as np

    for single, mirrored in zip(runs["default"]["d_weights"], runs["mirrored"]["d_weights"]):
        np.testing.assert_allclose(single, mirrored, rtol=1e-5, atol=1e-6)
    # The progress-bar value is the per-example mean on both, not 1/N of it.
    np.testing.assert_allclose(runs["default"]["d_loss"], runs["mirrored"]["d_loss"], rtol=1e-5)
