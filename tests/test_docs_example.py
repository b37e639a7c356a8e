"""docs/write_your_own_gan.md's example: a new GAN in one file on the public API, trained and exported."""

import ast
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from repo_files import ROOT, load_file

EXAMPLE = "docs/examples/lsgan.py"


def images(n=16, seed=0):
    x = np.random.RandomState(seed).uniform(-1, 1, (n, 16, 16, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(8)


def test_example_is_one_file_of_at_most_60_lines_using_only_public_names():
    source = (ROOT / EXAMPLE).read_text()
    assert len(source.splitlines()) <= 60
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module.startswith("ganzoo"):
            assert not any(a.name.startswith("_") for a in node.names)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            pytest.fail(f"the example uses the private name {node.attr}")
    assert "def train_step" not in source


@pytest.mark.parametrize("hinge", [False, True])
def test_example_trains_with_fit_saves_loads_and_exports(tmp_path, hinge):
    lsgan = load_file(EXAMPLE)
    keras.utils.set_random_seed(0)
    model = lsgan.LSGAN(hinge=hinge)
    model.compile()
    before = [w.numpy().copy() for w in model.generator.weights]
    history = model.fit(images(), epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "d_real", "d_fake", "g_loss"}
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(before, model.generator.weights))

    model.save(tmp_path / "lsgan.keras")
    loaded = keras.models.load_model(tmp_path / "lsgan.keras")
    assert isinstance(loaded, lsgan.LSGAN) and loaded.hinge == hinge
    np.testing.assert_array_equal(loaded.generate(4, seed=3), model.generate(4, seed=3))

    import ganzoo.export

    path = ganzoo.export.save_generator(model, str(tmp_path / "export"))
    served = tf.saved_model.load(path).signatures["serving_default"](z=tf.constant(model.noise(2, seed=1)))
    np.testing.assert_allclose(served["images"].numpy(), model.generate(2, seed=1), atol=1e-6)


@pytest.mark.parametrize("hinge", [False, True])
def test_example_objectives_are_the_papers_formulas(hinge):
    from ganzoo.training import Step

    lsgan = load_file(EXAMPLE)
    keras.utils.set_random_seed(0)
    model = lsgan.LSGAN(hinge=hinge)
    step = Step(model, next(iter(images(8))), None, training=False)
    d_terms, g_terms = model.discriminator_objective(step), model.generator_objective(step)
    real = model.discriminate(step.real).numpy()[:, 0]
    fake = model.discriminate(step.fakes()).numpy()[:, 0]
    if hinge:  # Lim & Ye 2017: max(0, 1 − D(x)) + max(0, 1 + D(G(z))); G: −D(G(z))
        d_expected, g_expected = np.maximum(0, 1 - real) + np.maximum(0, 1 + fake), -fake
    else:  # Mao et al. 2017 (a = 0, b = c = 1): ½(D(x) − 1)² + ½D(G(z))²; G: ½(D(G(z)) − 1)²
        d_expected, g_expected = 0.5 * (real - 1) ** 2 + 0.5 * fake**2, 0.5 * (fake - 1) ** 2
    np.testing.assert_allclose(d_terms["d_adv"].weighted().numpy(), d_expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g_terms["g_adv"].weighted().numpy(), g_expected, rtol=1e-5, atol=1e-6)
