"""One training step checked against hand-computed SGD updates: loss signs, penalty weights, averaging.

A linear critic f(x) = w·x and a generator whose output is its bias b (zero kernel) make every
term closed-form: ∂(f − r)/∂w = G(z) − x, the gradient penalty is (‖w‖ − 1)² for any ε (∇ₓf = w),
and G's Wasserstein loss −f(G(z)) = −w·b has ∂/∂b = −w.
"""

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.models import GAN
from ganzoo.training import FeatureMatching, GradientPenalty, PullingAway
from ganzoo.training.step import Step

W = np.array([0.6, -1.2], "float32")  # ‖w‖ = 1.3416
B = np.array([0.5, -0.25], "float32")
X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5], [-2.0, 1.5]], "float32")
LR = 0.1


def linear_gan():
    z = keras.Input((3,))
    g = keras.Model(z, keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(B))(z))
    x = keras.Input((2,))
    d = keras.Model(x, keras.layers.Dense(1, use_bias=False, kernel_initializer=keras.initializers.Constant(W[:, None]))(x))
    return GAN(g, d)


@pytest.mark.parametrize("weight", [10.0, 2.5])
def test_one_wgan_gp_step_moves_both_networks_by_the_hand_computed_sgd_update(weight):
    gan = linear_gan()
    gan.compile(g_optimizer=keras.optimizers.SGD(LR), d_optimizer=keras.optimizers.SGD(LR), loss="wasserstein",
                regularizers=[GradientPenalty(weight)])
    logs = gan.fit(tf.data.Dataset.from_tensor_slices(X).batch(4), epochs=1, verbose=0).history
    norm = np.linalg.norm(W)
    penalty = (norm - 1.0) ** 2
    # D: L = mean(f(b) − f(x)) + λ (‖w‖ − 1)²  ⇒  ∂L/∂w = b − mean(x) + 2λ(‖w‖ − 1) w/‖w‖.
    w_new = W - LR * (B - X.mean(0) + 2 * weight * (norm - 1.0) * W / norm)
    np.testing.assert_allclose(gan.discriminator.get_weights()[0][:, 0], w_new, rtol=1e-5)
    np.testing.assert_allclose(logs["gradient_penalty"][0], weight * penalty, rtol=1e-5)
    np.testing.assert_allclose(logs["d_loss"][0], W @ B - (X @ W).mean() + weight * penalty, rtol=1e-5)
    # G (after D's update): L = −w_new·b  ⇒  ∂L/∂b = −w_new, so b moves along +w_new.
    np.testing.assert_allclose(gan.generator.get_weights()[1], B + LR * w_new, rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"][0], -(w_new @ B), rtol=1e-5)


def test_regularizer_terms_carry_their_weight_exactly():
    gan = linear_gan()
    gan.compile(loss="wasserstein")
    step = Step(gan, tf.constant(X), None, training=True)
    gp = GradientPenalty(7.0)
    gp.build(gan)
    term = gp(gan, step, {})["gradient_penalty"]
    assert term.weight == 7.0
    np.testing.assert_allclose(term.weighted(), np.full(4, 7.0 * (np.linalg.norm(W) - 1.0) ** 2), rtol=1e-5)
    assert FeatureMatching(3.0).weight == 3.0 and PullingAway(0.25).weight == 0.25


def test_regularizer_arguments_at_their_bounds_and_the_shorthand_defaults():
    from ganzoo import GanzooError
    from ganzoo.training import BEGANBalance, regularizers

    assert GradientPenalty(0.0).weight == 0.0 and FeatureMatching(0.0).weight == 0.0  # 0 = off, allowed
    with pytest.raises(GanzooError, match="weight >= 0"):
        GradientPenalty(-1.0)
    assert BEGANBalance(gamma=1.0).gamma == 1.0
    with pytest.raises(GanzooError, match=r"must be in \(0, 1\]"):
        BEGANBalance(gamma=1.5)
    (balance,) = regularizers.from_shorthands({"balance_gamma": 0.5})
    assert (balance.gamma, balance.lambda_k) == (0.5, 0.001)  # BEGAN's λ_k


AVERAGE_SCRIPT = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from ganzoo.training.step import average
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    values = tf.constant([1.0, 2.0, 3.0, 10.0])  # replica 0 gets [1, 2], replica 1 gets [3, 10]
    per_replica = strategy.experimental_distribute_values_from_function(
        lambda context: values[2 * context.replica_id_in_sync_group:][:2])
    summed = strategy.reduce("SUM", strategy.run(average, args=(per_replica,)), axis=None)
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "sum": float(summed)}))
    """
)


def test_average_divides_by_the_global_batch_on_two_replicas():
    # Keras sums gradients over replicas, so each replica's loss must be its sum / global batch:
    # the replicas' values then add up to the global mean 4.0 (reduce_mean per replica gives 8.0).
    result = subprocess.run([sys.executable, "-c", AVERAGE_SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out == {"replicas": 2, "sum": 4.0}
