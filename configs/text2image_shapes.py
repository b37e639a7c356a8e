"""GAN-INT-CLS (Reed et al. 2016) on ganzoo's captioned `shapes`, 32x32: text -> image, offline.

Budget: at most 30 minutes on 2 quiet CPU cores (text-encoder pretraining
included; 41 minutes on one core); measured figures are in BUILD_NOTES.md.
Departs from the paper where measurement said so: a bag-of-words text encoder and a
projection discriminator (95.6% / 85.4% all-attribute accuracy on seen / held-out
colour-shape pairs, against 19.2% / 12.8% with the paper's char-CNN-GRU and concat D).
    python -m ganzoo.train --config=configs/text2image_shapes.py --workdir=/tmp/t2i
Score it (attribute accuracy on seen and held-out combinations):
    python benchmarks/text_to_image.py --model=/tmp/t2i/checkpoints/model.keras
The four variants of the paper: --config.model.matching_aware=False / --config.model.interpolate=False;
the paper's concat discriminator: --config.model.d_conditioning=concat (this config uses a projection D).
"""

from ganzoo.config import base_config

SAMPLE_CAPTIONS = [
    "a large red circle in the center",
    "a small blue square on the left",
    "a large green triangle at the top",
    "a small yellow diamond on the right",
    "a large blue triangle at the bottom",   # held out: no blue triangle in training
    "a small green circle in the middle",    # held out
    "a large red square on the right",       # held out
    "a small yellow circle at the top",
]


def get_config():
    config = base_config()
    config.model.name = "text_to_image"
    config.model.latent_dim = 100            # paper: 100
    config.model.projection_dim = 128        # paper: 128
    config.model.text_dim = 256              # paper: 1024 (char-CNN-RNN); smaller for CPU
    # Paper: a char-CNN-RNN over characters (encoder="conv_gru", tokens="characters"). Averaged
    # word embeddings make φ(t) a sum over words, so with the linear projection D the score of
    # "blue triangle" is "blue" plus "triangle": pairs never trained on compose (BUILD_NOTES.md).
    config.model.tokens = "words"
    config.model.encoder = "bag_of_words"
    config.model.max_length = 32             # words; the longest caption has fewer than 20
    config.model.encoder_width = 256
    config.model.g_filters = 32              # paper: 64; G was 4/5 of the step's convolutions: 32 buys ~30% more steps
    config.model.d_filters = 64
    config.model.matching_aware = True       # GAN-CLS
    config.model.interpolate = True          # GAN-INT
    config.model.interpolation_beta = 0.5    # paper: 0.5
    config.model.interpolation_weight = 1.0
    # Paper: "concat" (text replicated 4x4, depth-concatenated). The projection D (Miyato & Koyama
    # 2018) is linear in the text: with the bag-of-words encoder its score adds one term per word.
    config.model.d_conditioning = "projection"
    config.model.text_pretrain_steps = 1000
    config.model.text_pretrain_learning_rate = 1e-3
    config.model.train_text_encoder = False  # paper: frozen
    config.model.sample_captions = SAMPLE_CAPTIONS
    config.data.name = "shapes"
    config.data.image_size = 32              # 64 is the dataset's default; 32 fits the 30-minute budget
    config.data.num_examples = 10000
    config.train.epochs = 40                 # 6,240 steps of 64 (10,000 images an epoch); shapes sharpen with steps
    config.train.batch_size = 64             # paper: 64
    config.train.loss = "non_saturating"
    # Reed et al. 2016: Adam, lr 2e-4, beta_1 0.5.
    config.train.g_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.d_optimizer = dict(name="adam", learning_rate=2e-4, beta_1=0.5)
    config.train.num_samples = 64
    config.train.sample_every = 2
    return config
