"""SRResNet at 4x on photos, second stage: the long SRResNet fine-tuned on more photos at more scales.

Measured 2026-12-07 (BUILD_NOTES.md, "Super-resolution (issue 26)"): 4,000 steps in about 35 minutes
on 2 CPU cores, starting from a configs/srresnet_photos_long.py run. Changes from the long recipe,
each added in turn and measured in 2,000-step fine-tunes:
- scale augmentation (data.rescale_min = 0.6: each crop from the photo shrunk by a random factor
  in [0.6, 1], FSRCNN's, Dong et al. 2016, arXiv 1608.00367);
- the three photographs the Gradio package ships (data.gradio_photos; needs ganzoo[demo] or
  ganzoo[test]), training split only;
- inference with EDSR+'s 8-view self-ensemble (model.self_ensemble; Lim et al. 2017, arXiv
  1707.02921): training is unchanged, and benchmarks/super_resolution.py reports the one-pass
  figure beside it.
Adam 1e-4 on a cosine decay to 0 over the 2,000 steps, G's weights averaged (EMA 0.999).
    python -m ganzoo.train --config=configs/srresnet_photos_long.py --workdir=/work/runs/sr/long
    python -m ganzoo.train --config=configs/srresnet_photos_finetune.py --workdir=/work/runs/sr/finetune \
        --config.model.init_generator=/work/runs/sr/long/checkpoints/model.keras
    python benchmarks/super_resolution.py --srresnet=/work/runs/sr/finetune
The srresnet_photos preset runs this config five times with overrides (larger crops, 64 filters,
scale augmentation from 0.4): configs/srresnet_photos_stages.sh, about 4 h 21 min in all.
"""

import importlib.util
import os

STEPS = 4_000


def get_config():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "srresnet_photos_long.py")
    spec = importlib.util.spec_from_file_location("srresnet_photos_long", path)
    long_recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(long_recipe)
    config = long_recipe.get_config()      # the generator, data and precision of the long SRResNet
    config.model.init_generator = ""       # required: the long run's checkpoints/model.keras
    config.model.self_ensemble = True      # inference only
    config.data.rescale_min = 0.6
    config.data.gradio_photos = True
    config.train.epochs = STEPS // config.train.steps_per_epoch
    config.train.g_optimizer = dict(
        name="adam", beta_1=0.9, use_ema=True, ema_momentum=0.999,
        learning_rate=dict(class_name="CosineDecay", config=dict(initial_learning_rate=1e-4, decay_steps=STEPS)),
    )
    return config
