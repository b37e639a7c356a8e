"""ganzoo.losses against closed-form values."""

import math

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import losses
from ganzoo.errors import GanzooError

R = tf.constant([[2.0], [-1.0], [0.0]])
F = tf.constant([[-3.0], [0.5], [0.0]])


def sp(x):
    return math.log1p(math.exp(x))


def test_minimax_discriminator_loss_is_binary_cross_entropy():
    got = losses.minimax_discriminator_loss(R, F).numpy()
    want = [sp(-2.0) + sp(-3.0), sp(1.0) + sp(0.5), 2 * math.log(2.0)]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_label_smoothing_sets_real_target_and_leaves_fake_target_at_zero():
    got = losses.minimax_discriminator_loss(R, F, label_smoothing=0.1).numpy()
    # BCE with target 0.9 on real logits, target 0 on fake logits (one-sided).
    want = [0.9 * sp(-r) + 0.1 * sp(r) + sp(f) for r, f in zip([2.0, -1.0, 0.0], [-3.0, 0.5, 0.0])]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_generator_losses_saturating_vs_non_saturating():
    f = [-3.0, 0.5, 0.0]
    np.testing.assert_allclose(losses.minimax_generator_loss(F).numpy(), [-sp(x) for x in f], rtol=1e-6)
    np.testing.assert_allclose(losses.non_saturating_generator_loss(F).numpy(), [sp(-x) for x in f], rtol=1e-6)


def test_non_saturating_gradient_is_larger_when_discriminator_rejects_fakes():
    fake = tf.Variable([[-6.0]])
    with tf.GradientTape(persistent=True) as tape:
        saturating = losses.minimax_generator_loss(fake)
        non_saturating = losses.non_saturating_generator_loss(fake)
    g_sat = abs(float(tape.gradient(saturating, fake)[0, 0]))
    g_ns = abs(float(tape.gradient(non_saturating, fake)[0, 0]))
    assert g_sat < 0.01 < 0.9 < g_ns


def test_wasserstein_hinge_least_squares_closed_forms():
    r, f = np.array([2.0, -1.0, 0.0]), np.array([-3.0, 0.5, 0.0])
    np.testing.assert_allclose(losses.wasserstein_discriminator_loss(R, F), f - r)
    np.testing.assert_allclose(losses.wasserstein_generator_loss(F), -f)
    np.testing.assert_allclose(
        losses.hinge_discriminator_loss(R, F), np.maximum(0, 1 - r) + np.maximum(0, 1 + f)
    )
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(R, F), 0.5 * (r - 1) ** 2 + 0.5 * f**2)
    np.testing.assert_allclose(losses.least_squares_generator_loss(F), 0.5 * (f - 1) ** 2)


def test_every_loss_matches_hand_computed_values_on_both_sides():
    # r = [2, -1, 0], f = [-3, 0.5, 0], written out by hand (not by the formula under test).
    np.testing.assert_allclose(losses.hinge_generator_loss(F), [3.0, -0.5, 0.0])  # −f: G raises f
    np.testing.assert_allclose(losses.hinge_discriminator_loss(R, F), [0.0, 3.5, 2.0])
    np.testing.assert_allclose(losses.wasserstein_discriminator_loss(R, F), [-5.0, 1.5, 0.0])
    np.testing.assert_allclose(losses.wasserstein_generator_loss(F), [3.0, -0.5, 0.0])
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(R, F), [4.5 + 0.5, 2.0 + 0.125, 0.5])
    np.testing.assert_allclose(losses.least_squares_generator_loss(F), [8.0, 0.125, 0.5])
    named = {name: losses.get(name) for name in ("hinge", "wasserstein", "least_squares", "minimax")}
    np.testing.assert_allclose(named["hinge"].generator(F, R), [3.0, -0.5, 0.0])
    np.testing.assert_allclose(named["wasserstein"].generator(F, R), [3.0, -0.5, 0.0])
    np.testing.assert_allclose(named["least_squares"].generator(F, R), [8.0, 0.125, 0.5])
    np.testing.assert_allclose(named["minimax"].generator(F, R), [-sp(-3.0), -sp(0.5), -math.log(2.0)], rtol=1e-6)
    assert not named["hinge"].outputs_are_logits and named["minimax"].outputs_are_logits


def test_label_smoothing_of_least_squares_and_by_name_matches_hand_computed_values():
    # t = 0.9: ½(r − 0.9)² + ½f² = [0.605 + 4.5, 1.805 + 0.125, 0.405 + 0].
    want = [5.105, 1.93, 0.405]
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(R, F, label_smoothing=0.1), want, rtol=1e-6)
    np.testing.assert_allclose(losses.get("least_squares", label_smoothing=0.1).discriminator(R, F), want, rtol=1e-6)
    # minimax, t = 0.8 on r = 0: 0.8·log 2 + 0.2·log 2 + log 2 (the real term's weights sum to 1).
    got = losses.get("minimax", label_smoothing=0.2).discriminator(tf.constant([0.0]), tf.constant([0.0]))
    np.testing.assert_allclose(got, [2 * math.log(2.0)], rtol=1e-6)
    got = losses.minimax_discriminator_loss(tf.constant([3.0]), tf.constant([-20.0]), label_smoothing=0.2)
    np.testing.assert_allclose(got, [0.8 * sp(-3.0) + 0.2 * sp(3.0) + sp(-20.0)], rtol=1e-6)
    assert losses.get("minimax", label_smoothing=0.0).discriminator is losses.minimax_discriminator_loss


def test_began_losses_balance_and_convergence_match_hand_computed_values():
    real, fake = tf.constant([1.0, 2.0]), tf.constant([4.0, 0.5])
    np.testing.assert_allclose(losses.began_discriminator_loss(real, fake, k=0.25), [0.0, 1.875])
    np.testing.assert_allclose(losses.began_discriminator_loss(real, fake), [-3.0, 1.5])
    np.testing.assert_allclose(losses.began_generator_loss(fake), [4.0, 0.5])
    # k + λ_k (γ L(x) − L(G(z))) = 0.5 + 0.1 (0.5·2 − 0.5) = 0.55, then clipped to [0, 1] at both ends.
    np.testing.assert_allclose(losses.began_k_update(0.5, 2.0, 0.5, gamma=0.5, lambda_k=0.1), 0.55, rtol=1e-6)
    assert float(losses.began_k_update(0.99, 2.0, 0.0, gamma=0.5, lambda_k=1.0)) == 1.0
    assert float(losses.began_k_update(0.01, 0.0, 1.0, gamma=0.5, lambda_k=1.0)) == 0.0
    # M = L(x) + |γ L(x) − L(G(z))|: 2 + |1 − 0.5| and 2 + |1 − 3|.
    np.testing.assert_allclose(losses.began_convergence(2.0, 0.5, gamma=0.5), 2.5)
    np.testing.assert_allclose(losses.began_convergence(2.0, 3.0, gamma=0.5), 4.0)


def test_gradient_penalty_interpolates_between_real_and_fake_and_pulls_to_the_target():
    # Critic ½‖x‖², so ∇f(x̂) = x̂. Row 1: x̂ = ½(2, 0) + ½(0, 0) = (1, 0), norm 1, penalty 0;
    # row 2: x̂ = ¼(0, 1) + ¾(0, 3) = (0, 2.5), penalty (2.5 − 1)² = 2.25 (target 2: 0.25).
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1)  # noqa: E731
    real, fake = tf.constant([[2.0, 0.0], [0.0, 1.0]]), tf.constant([[0.0, 0.0], [0.0, 3.0]])
    epsilon = tf.constant([[0.5], [0.25]])
    np.testing.assert_allclose(losses.gradient_penalty(critic, real, fake, epsilon=epsilon), [0.0, 2.25], atol=1e-6)
    np.testing.assert_allclose(losses.gradient_penalty(critic, real, fake, epsilon=epsilon, target=2.0),
                               [1.0, 0.25], atol=1e-6)


def test_feature_matching_and_pulling_away_match_hand_computed_values():
    # Mean real features (2, 3), mean fake features (1, 1): ‖(1, 2)‖² = 5.
    real, fake = tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([[0.0, 0.0], [2.0, 2.0]])
    np.testing.assert_allclose(losses.feature_matching_loss(real, fake), 5.0, rtol=1e-6)
    np.testing.assert_allclose(losses.feature_matching_loss(tf.reshape(real, [2, 1, 2]), tf.reshape(fake, [2, 2, 1])),
                               5.0, rtol=1e-6)
    # cos² of (1,0),(0,1),(1,1) pairs: 0, ½, ½; each ordered pair counted: 2·1 / (3·2) = 1/3.
    np.testing.assert_allclose(losses.pulling_away_term(tf.constant([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])), 1 / 3,
                               rtol=1e-5)


def test_patch_outputs_are_averaged_per_example():
    patches = tf.reshape(tf.range(8, dtype=tf.float32), [2, 2, 2, 1])
    np.testing.assert_allclose(losses.wasserstein_generator_loss(patches), [-1.5, -5.5])


# Two examples of 2x2 patch scores. Per example, the loss is the mean of the four per-patch
# losses (pix2pix, CycleGAN, TF-GAN), not the loss of the mean score, which is 0 for both
# real examples here and would give e.g. least squares 0.5 (0 - 1)^2 = 0.5.
PATCH_R = tf.constant([[[[2.0], [-2.0]], [[1.0], [-1.0]]], [[[3.0], [-3.0]], [[0.0], [0.0]]]])
PATCH_F = tf.constant([[[[1.0], [-1.0]], [[0.0], [0.0]]], [[[2.0], [0.0]], [[-2.0], [0.0]]]])


def test_least_squares_losses_are_means_of_per_patch_losses():
    # real 1: ½[(2-1)² + (-2-1)² + (1-1)² + (-1-1)²]/4 = ½·14/4 = 1.75; fake 1: ½(1+1+0+0)/4 = 0.25
    # real 2: ½[4 + 16 + 1 + 1]/4 = 2.75;                             fake 2: ½(4+0+4+0)/4 = 1.0
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(PATCH_R, PATCH_F), [2.0, 3.75], rtol=1e-6)
    # G: ½(f - 1)² per patch: ½(0 + 4 + 1 + 1)/4 = 0.75 and ½(1 + 1 + 9 + 1)/4 = 1.5
    np.testing.assert_allclose(losses.least_squares_generator_loss(PATCH_F), [0.75, 1.5], rtol=1e-6)


def test_sigmoid_and_hinge_losses_are_means_of_per_patch_losses():
    r = [[2.0, -2.0, 1.0, -1.0], [3.0, -3.0, 0.0, 0.0]]
    f = [[1.0, -1.0, 0.0, 0.0], [2.0, 0.0, -2.0, 0.0]]
    mean = lambda values: sum(values) / 4  # noqa: E731
    want_d = [mean([sp(-x) for x in ri]) + mean([sp(x) for x in fi]) for ri, fi in zip(r, f)]
    np.testing.assert_allclose(losses.minimax_discriminator_loss(PATCH_R, PATCH_F), want_d, rtol=1e-6)
    np.testing.assert_allclose(losses.non_saturating_generator_loss(PATCH_F),
                               [mean([sp(-x) for x in fi]) for fi in f], rtol=1e-6)
    np.testing.assert_allclose(losses.minimax_generator_loss(PATCH_F),
                               [-mean([sp(x) for x in fi]) for fi in f], rtol=1e-6)
    # hinge: mean max(0, 1 - r) + mean max(0, 1 + f): (0+3+0+2)/4 + (2+0+1+1)/4, (0+4+1+1)/4 + (3+1+0+1)/4
    np.testing.assert_allclose(losses.hinge_discriminator_loss(PATCH_R, PATCH_F), [2.25, 2.75], rtol=1e-6)


def test_linear_losses_agree_for_both_reductions_on_patches():
    # Wasserstein is linear: the mean of per-patch losses is the loss of the mean score.
    np.testing.assert_allclose(losses.wasserstein_discriminator_loss(PATCH_R, PATCH_F), [0.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(losses.wasserstein_generator_loss(PATCH_F), [0.0, 0.0], atol=1e-7)


def test_get_by_name_applies_label_smoothing():
    loss = losses.get("non_saturating", label_smoothing=0.1)
    np.testing.assert_allclose(
        loss.discriminator(R, F), losses.minimax_discriminator_loss(R, F, label_smoothing=0.1)
    )
    np.testing.assert_allclose(loss.generator(F, R), losses.non_saturating_generator_loss(F))


def test_get_wraps_a_callable_pair():
    loss = losses.get(lambda r, f: (f - r, -f))
    np.testing.assert_allclose(loss.discriminator(R, F), F - R)
    np.testing.assert_allclose(loss.generator(F, R), -F)
    assert loss.outputs_are_logits is False  # D's shown d_real / d_fake stay raw means, no sigmoid


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: losses.get("nope"), "unknown loss 'nope'"),
        (lambda: losses.get("wasserstein", label_smoothing=0.1), "no meaning"),
        (lambda: losses.get("minimax", label_smoothing=1.5), "outside [0, 1)"),
    ],
)
def test_bad_loss_arguments_raise_one_clear_error(call, message):
    with pytest.raises(GanzooError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        call()


def test_per_patch_outputs_give_one_loss_per_example_the_mean_over_patches():
    patches = tf.constant([[1.0, 2.0], [3.0, 5.0]])  # [batch 2, 2 patches]
    np.testing.assert_allclose(losses.hinge_generator_loss(patches).numpy(), [-1.5, -4.0])
    np.testing.assert_allclose(losses.hinge_generator_loss(tf.constant([1.0, 3.0])).numpy(), [-1.0, -3.0])


def test_label_smoothing_of_one_is_refused_it_would_make_the_real_target_zero():
    with pytest.raises(GanzooError, match=r"label_smoothing=1.0 is outside \[0, 1\)"):
        losses.minimax_discriminator_loss(R, F, label_smoothing=1.0)


def test_unsmoothed_minimax_d_loss_is_zero_not_nan_for_a_d_infinitely_sure_of_both():
    # Without smoothing the real term is softplus(-r) alone: 0 at r = +inf. Adding the smoothing
    # term 0 * softplus(+inf) would make it NaN, so the term is left out when t = 1.
    real, fake = tf.constant([math.inf, 2.0]), tf.constant([-math.inf, -1.0])
    np.testing.assert_allclose(losses.minimax_discriminator_loss(real, fake).numpy(),
                               [0.0, sp(-2.0) + sp(-1.0)], rtol=1e-6)


def test_packed_gradient_penalty_takes_one_norm_over_each_packs_gradients():
    # Critic ½‖x‖², ε = 1 (x̂ = real), packing 2: packs (rows 0, 1) and (rows 2, 3).
    # ‖(3, 0, 0, 4)‖ = 5 → (5 − 1)² = 16; ‖(0, 1, 0, 0)‖ = 1 → 0.
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1)  # noqa: E731
    real = tf.constant([[3.0, 0.0], [0.0, 4.0], [0.0, 1.0], [0.0, 0.0]])
    penalty = losses.gradient_penalty(critic, real, tf.zeros_like(real), epsilon=tf.ones([4, 1]), packing=2)
    np.testing.assert_allclose(penalty, [16.0, 0.0], atol=1e-5)


def test_gradient_penalty_of_a_flat_critic_is_the_target_squared_not_nan():
    critic = lambda x: tf.zeros([tf.shape(x)[0]]) + 0.0 * tf.reduce_sum(x, axis=1)  # noqa: E731  zero gradient
    real, fake = tf.ones([3, 2]), tf.zeros([3, 2])
    np.testing.assert_allclose(losses.gradient_penalty(critic, real, fake, seed=tf.constant([1, 2])), [1.0] * 3,
                               atol=1e-5)


def test_interpolation_weights_are_uniform_on_0_1_with_and_without_a_seed():
    tf.random.set_seed(0)
    for seed in (None, tf.constant([3, 4])):
        epsilon = losses.interpolation_weights(4000, 4, seed).numpy()
        assert epsilon.shape == (4000, 1, 1, 1)
        assert 0.0 <= epsilon.min() and epsilon.max() < 1.0
        assert abs(epsilon.mean() - 0.5) < 0.02 and abs(epsilon.std() - 12 ** -0.5) < 0.02  # U[0, 1]: ½, 1/√12


def test_feature_matching_averages_over_the_batch_when_it_differs_from_the_feature_count():
    # Three examples of two features: means (3, 4) and (1, 1) → ‖(2, 3)‖² = 13.
    real = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    fake = tf.constant([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    np.testing.assert_allclose(losses.feature_matching_loss(real, fake), 13.0, rtol=1e-6)


def test_pulling_away_term_counts_an_all_zero_feature_row_as_orthogonal_not_nan():
    # (1,0)·(1,1): cos² ½, both orders; the zero row: 0 with each. 2·½ / (3·2) = 1/6.
    features = tf.constant([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(losses.pulling_away_term(features), 1 / 6, rtol=1e-5)
