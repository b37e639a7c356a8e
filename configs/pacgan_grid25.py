"""PacGAN4 with generator weight averaging on mixture2d:grid25: the mode-collapse benchmark's best run.

benchmarks/mode_coverage.py's ``pacgan4_ema`` configuration, seed 0 (the benchmark's
experiment("pacgan4_ema", "grid25", 0, 50_000, 512) has the same keys; a test holds them
together): the non-saturating MLP GAN whose discriminator judges packs of 4 samples (Lin et al.
2018, arXiv 1712.04086), constant Adam rates, and G's weights averaged over the run (an
exponential moving average, momentum 0.999, copied into G when training ends; Yazıcı et al.
2019, arXiv 1806.04498). About 3 minutes on one CPU core (174-199 CPU-seconds for the 50,000 G
steps, time.process_time, one TF thread); 25/25 modes on every one of seeds 0-4 (BUILD_NOTES.md).
Departures from the paper: ganzoo's MLPs (G 3 x 128 ReLU, D 3 x 128 LeakyReLU, z in R^8),
batch 512 of fresh points, Adam 1e-3, weight averaging (paper: 4 x 400 G, maxout D, batch 100,
Adam 1e-4, no averaging).
    python -m ganzoo.train --config=configs/pacgan_grid25.py --workdir=/tmp/pacgan_grid25
"""

from ganzoo.config import base_config

STEPS = 50_000
_ADAM = dict(name="adam", learning_rate=1e-3, beta_1=0.5, beta_2=0.999)


def get_config():
    config = base_config()
    config.model.name = "vanilla"
    config.model.latent_dim = 8
    config.model.g_units = (128, 128, 128)
    config.model.d_units = (128, 128, 128)
    config.model.maxout = False
    config.model.dropout = 0.0
    config.model.packing = 4
    config.data.name = "mixture2d:grid25"
    config.data.num_examples = 0  # an endless in-graph stream of fresh points
    config.train.epochs = 1
    config.train.steps_per_epoch = STEPS
    config.train.batch_size = 512
    config.train.loss = "non_saturating"
    # Samples and the export come from G's average over the last ~1,000 steps, not its last step.
    config.train.g_optimizer = dict(_ADAM, use_ema=True, ema_momentum=0.999)
    config.train.d_optimizer = dict(_ADAM)
    config.train.steps_per_execution = 500
    config.train.jit_compile = True
    config.train.num_samples = 2500
    return config
