"""WGAN-GP on mixture2d:grid25 with a 10x faster critic: the mode-coverage benchmark's wgan_gp_ttur run.

benchmarks/mode_coverage.py's ``wgan_gp_ttur`` configuration, seed 0 (the benchmark's
experiment("wgan_gp_ttur", "grid25", 0, STEPS, 512) has the same keys; a test holds them
together). About 11 minutes on one CPU core (≈ 31 CPU-seconds per 1,000 G steps of 5 critic
steps each, time.process_time, one TF thread). Measured figures: BUILD_NOTES.md and
docs/models/wgan.md. Departures from Gulrajani et al.'s toy code (3 x 512 ReLU nets, Adam 1e-4
with β1 0.5 for both, 100,000 steps): G and critic 3 x 128, z in R^8, batch 512 of fresh points,
Adam with the paper's image β (0, 0.9) at 2e-4 for G and 2e-3 for the critic (the two
time-scale rule, Heusel et al. 2017: at 1e-4 the critic resolves no mode in 20,000 G steps),
G's weights averaged (EMA 0.999, copied into G at the end).
    python -m ganzoo.train --config=configs/wgan_gp_grid25.py --workdir=/tmp/wgan_gp_grid25
"""

from ganzoo.config import base_config

STEPS = 20_000
_ADAM = dict(name="adam", beta_1=0.0, beta_2=0.9)


def get_config():
    config = base_config()
    config.model.name = "wgan"
    config.model.network = "mlp"
    config.model.lipschitz = "gradient_penalty"
    config.model.gp_weight = 10.0
    config.model.latent_dim = 8
    config.model.g_units = (128, 128, 128)
    config.model.d_units = (128, 128, 128)
    config.data.name = "mixture2d:grid25"
    config.data.num_examples = 0  # an endless in-graph stream of fresh points
    config.train.epochs = 1
    config.train.steps_per_epoch = STEPS
    config.train.batch_size = 512
    config.train.loss = "wasserstein"
    config.train.d_steps = 5
    # Samples and the export come from G's average over the last ~1,000 steps, not its last step.
    config.train.g_optimizer = dict(_ADAM, learning_rate=2e-4, use_ema=True, ema_momentum=0.999)
    config.train.d_optimizer = dict(_ADAM, learning_rate=2e-3)
    config.train.steps_per_execution = 500
    config.train.jit_compile = True
    config.train.num_samples = 2500
    return config
