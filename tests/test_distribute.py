"""The same training on 1 replica and on 2: global-batch losses and global-batch noise.

MirroredStrategy over two logical CPUs runs in a subprocess, because logical
devices must be configured before TensorFlow initialises.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

SCRIPT = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, tensorflow as tf, keras
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from ganzoo.distribute import get_strategy
    from ganzoo.models import DCGAN, WGAN

    def one_epoch(model_name, strategy_name):
        keras.utils.set_random_seed(0)
        strategy = get_strategy(strategy_name)
        with strategy.scope():
            if model_name.startswith("dcgan"):
                gan = DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8,
                            batch_norm=model_name == "dcgan_sync_bn",
                            sync_batch_norm=model_name == "dcgan_sync_bn")
                gan.compile()
                data = np.random.default_rng(0).uniform(-1, 1, (32, 16, 16, 1)).astype("float32")
            else:
                gan = WGAN(data_shape=(2,), latent_dim=4, g_units=(16,), d_units=(16,))
                gan.compile(d_steps=2)
                data = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
        history = gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(8), epochs=1, verbose=0)
        return {
            "replicas": strategy.num_replicas_in_sync,
            "weights": [w.numpy().ravel().tolist() for w in gan.generator.weights + gan.discriminator.weights],
            "logs": {k: v[0] for k, v in history.history.items()},
        }

    # One MirroredStrategy per process: collective instance keys of two would collide.
    model = os.environ["GANZOO_TEST_MODEL"]
    print(json.dumps({s: one_epoch(model, s) for s in ("default", "mirrored")}))
    """
)


def run_both(model):
    env = dict(os.environ, GANZOO_TEST_MODEL=model)
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize(
    "model, tolerance",
    [
        ("dcgan", 1e-5),  # no batch norm
        ("wgan_gp", 1e-5),
        # Synchronized BN: global-batch statistics through an all-reduce; the sums
        # are added in another order, so a looser tolerance.
        ("dcgan_sync_bn", 1e-4),
    ],
)
def test_one_epoch_on_two_replicas_gives_the_single_replica_weights(model, tolerance):
    runs = run_both(model)
    single, mirrored = runs["default"], runs["mirrored"]
    assert single["replicas"] == 1 and mirrored["replicas"] == 2
    for a, b in zip(single["weights"], mirrored["weights"]):
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)
    # Progress-bar values are per-example means on both, not 1/N of them.
    for name, value in single["logs"].items():
        np.testing.assert_allclose(mirrored["logs"][name], value, rtol=1e-4, atol=1e-5)
