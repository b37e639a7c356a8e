"""WGAN-GP on mixture2d:ring8, the mode-collapse benchmark: benchmarks/mode_coverage.py's wgan_gp run.

The benchmark's experiment("wgan_gp", "ring8", 0, 6_000, 512) has the same keys. Timed (2026-11-24,
one core, one TF thread, time.process_time): about 50 CPU-seconds per 1,000 G steps (5 critic
steps each), so these 6,000 steps take about 5 minutes on one CPU core (300 CPU-s, the issue's
budget a run); the benchmark's 30,000 steps of the other configurations would take
about 1,500 CPU-s. At this budget
WGAN-GP is still far from converged on the mixtures (BUILD_NOTES.md).
Departures from Gulrajani et al.'s toy code: G 3 x 128 and critic 3 x 128 (paper 512 x 3),
z in R^8, Adam 1e-4 with beta_1 0.5 (paper 0), batch 512 of fresh points.
    python -m ganzoo.train --config=configs/wgan_gp_ring8.py --workdir=/tmp/wgan_gp_ring8
"""

from ganzoo.config import base_config


def get_config():
    config = base_config()
    config.model.name = "wgan"
    config.model.network = "mlp"
    config.model.lipschitz = "gradient_penalty"
    config.model.gp_weight = 10.0
    config.model.latent_dim = 8
    config.model.g_units = (128, 128, 128)
    config.model.d_units = (128, 128, 128)
    config.data.name = "mixture2d:ring8"
    config.data.num_examples = 0  # an endless in-graph stream of fresh points
    config.train.epochs = 1
    config.train.steps_per_epoch = 6_000
    config.train.batch_size = 512
    config.train.loss = "wasserstein"
    config.train.d_steps = 5
    config.train.g_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.5, beta_2=0.9)
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.5, beta_2=0.9)
    config.train.steps_per_execution = 500
    config.train.jit_compile = True
    config.train.num_samples = 2500
    return config
