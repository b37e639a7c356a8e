"""SRGAN at 4x on the bundled photos, fine-tuned from the fine-tuned long SRResNet (configs/srresnet_photos_finetune.py).

Ledig et al. 2017 (arXiv 1609.04802): G starts from the trained SRResNet and is fine-tuned with
the pixel-MSE content loss plus the non-saturating adversarial loss (paper 1e-3 x, here 5e-3 x). The generator and
data are the SRResNet fine-tune's (16 blocks of 48 channels, no batch norm, EDSR-style; scale
augmentation, Gradio's photos); the discriminator is the paper's at half width. SRGAN infers in
one pass: the self-ensemble would average its texture away. Train the two SRResNet stages first
(configs/srresnet_photos_finetune.py), then (about 20 minutes on 2 quiet cores):
    python -m ganzoo.train --config=configs/srgan_photos_long.py --workdir=/tmp/srgan_long \
        --config.model.init_generator=/tmp/srresnet_finetune/checkpoints/model.keras
    python benchmarks/super_resolution.py --srresnet=/tmp/srresnet_finetune --srgan=/tmp/srgan_long
"""

import importlib.util
import os


def get_config():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "srresnet_photos_finetune.py")
    spec = importlib.util.spec_from_file_location("srresnet_photos_finetune", path)
    srresnet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(srresnet)
    config = srresnet.get_config()        # the generator, data and precision of the SRResNet fine-tune
    config.model.self_ensemble = False    # one pass: an ensemble averages the texture away
    config.model.vgg_weights = ""
    config.model.adv_weight = 5e-3        # paper 1e-3: here D has no batch norm (the G it shares the flag with has none), and 1e-3 left SRGAN no sharper than SRResNet (0.513 vs 0.530; BUILD_NOTES)
    config.model.pretrain_steps = 0       # G comes from init_generator
    config.model.init_generator = ""      # the SRResNet fine-tune run's checkpoints/model.keras
    config.model.d_filters = 32           # the paper's discriminator at half width
    config.model.d_dense = 1024
    config.train.steps_per_epoch = 250
    config.train.epochs = 4               # 1,000 GAN steps, as srgan_photos' GAN part
    config.train.num_samples = 16
    config.train.loss = "non_saturating"
    config.train.g_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.9)  # no EMA: the paper's
    config.train.d_optimizer = dict(name="adam", learning_rate=1e-4, beta_1=0.9)
    return config
