#!/usr/bin/env bash
# The srresnet_photos and srgan_photos presets, stage by stage (issue 26; BUILD_NOTES.md,
# "Super-resolution (issue 26)"). Measured 2026-12-07 on 2 CPU cores: the six SRResNet stages
# take 24,000 steps and about 4 h 21 min (15,676 s), the SRGAN stage about 20 minutes more.
# Each stage starts from the model of the one before (--config.model.init_generator); stage 4
# widens the 48-filter network to 64 filters with its output kept (networks.widen_generator).
#
#     bash configs/srresnet_photos_stages.sh /tmp/sr        # runs go in /tmp/sr/<stage>
#
# A stage that finished is skipped; an interrupted one resumes when the script is run again.
set -euo pipefail
root="${1:?usage: bash configs/srresnet_photos_stages.sh WORKDIR_ROOT}"
train() {  # train STAGE CONFIG [OVERRIDES...]
    local stage="$1" config="$2"
    shift 2
    if [ -f "$root/$stage/checkpoints/model.keras" ]; then
        echo "stage $stage: done, skipped"
        return
    fi
    python -m ganzoo.train --config="$config" --workdir="$root/$stage" "$@"
}
from() { echo "--config.model.init_generator=$root/$1/checkpoints/model.keras"; }
lr() { echo "--config.train.g_optimizer.learning_rate.config.initial_learning_rate=$1"; }
decay() { echo "--config.train.g_optimizer.learning_rate.config.decay_steps=$1"; }

# 1. 16 blocks x 48 filters, 10,000 steps (6,205 s).
train long configs/srresnet_photos_long.py
# 2. scale augmentation from 0.6, Gradio's photos, 4,000 steps (1,772 s).
train finetune configs/srresnet_photos_finetune.py "$(from long)"
# 3. 144-pixel crops, batch 8, Adam 5e-5, 3,000 steps (2,370 s).
train crop144 configs/srresnet_photos_finetune.py "$(from finetune)" --config.data.image_size=144 \
    --config.train.batch_size=8 --config.train.epochs=12 "$(lr 5e-5)" "$(decay 3000)"
# 4. widened to 64 filters, 3,000 steps (1,859 s).
train wide64 configs/srresnet_photos_finetune.py "$(from crop144)" --config.model.g_filters=64 \
    --config.train.epochs=12 "$(decay 3000)"
# 5. 2,000 more steps (1,223 s).
train wide64b configs/srresnet_photos_finetune.py "$(from wide64)" --config.model.g_filters=64 \
    --config.train.epochs=8 "$(decay 2000)"
# 6. scale augmentation from 0.4, 2,000 steps (2,247 s beside another run): srresnet_photos.
train srresnet configs/srresnet_photos_finetune.py "$(from wide64b)" --config.model.g_filters=64 \
    --config.train.epochs=8 "$(decay 2000)" --config.data.rescale_min=0.4
# 7. SRGAN: 1,000 GAN steps from it: srgan_photos.
train srgan configs/srgan_photos_long.py "$(from srresnet)" --config.model.g_filters=64

python benchmarks/super_resolution.py --srresnet="$root/srresnet" --srgan="$root/srgan"
