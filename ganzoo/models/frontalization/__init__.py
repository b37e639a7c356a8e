"""TP-GAN: face frontalization with a global and four local pathways.

Huang, Zhang, Li, He 2017, "Beyond Face Rotation: Global and Local Perception GAN for
Photorealistic and Identity Preserving Frontal View Synthesis", arXiv 1704.04086.

The idea: a generator maps a posed face to its frontal view. A global encoder–decoder (with a
fully connected bottleneck, skip connections and an output at every decoder scale) sees the
whole face; four local pathways see patches cropped at the landmarks of the eyes, nose and
mouth, and their features, placed at the frontal positions of those parts, are fused (max)
with the global features. Training minimises
    L_syn = L_pixel + λ1 L_sym + λ2 L_adv + λ3 L_ip + λ4 L_tv   (λ1 0.3, λ2 1e-3, λ3 3e-3, λ4 1e-4)
— multi-scale pixel L1 to the ground truth, symmetry, adversarial, identity preserving
(Light CNN features of output vs truth) and total variation; the discriminator tells true
frontals from synthesised ones.

    networks.py   build_generator, build_discriminator, LandmarkPatch, the parts and template
    losses.py     L_pixel, L_sym, L_ip, L_tv (pure functions, per example)
    identity.py   the Light-CNN-style identity network, its training and weight loading
    model.py      FrontalizationGAN: phases, G's objective, inference, serving

Where ganzoo departs from the paper:
- default 64×64 (``image_shape=(128, 128, 3)`` gives the paper's size); narrower networks;
  decoder outputs at 1/4, 1/2 and full size (the paper: 32², 64², 128²);
- local pathways are small conv encoder–decoders whose *features* are fused; the paper also
  gives each its own pixel loss and its own decoded patch. Their outputs are placed at a fixed
  frontal ``template`` (normalised landmark positions), as frontal faces are aligned;
- the generator, which has no normalization layers, is He-initialised (D keeps DCGAN's
  N(0, 0.02) with batch norm): at N(0, 0.02) the signal reached the fc bottleneck ~1e-6 in
  scale and the identity-carrying path learnt almost nothing in 3,000 steps;
- no noise vector at the bottleneck (the paper concatenates 100-d noise): the generator is
  deterministic, so ``sample_noise`` returns an empty ``[batch, 0]`` tensor;
- the identity network is ganzoo's Light-CNN-style net trained on the training identities
  (``identity.py``) — before the first GAN step, inside ``fit`` — not Light CNN-29 trained on
  MS-Celeb-1M; D is a DCGAN-style patch discriminator;
- the data are ganzoo's rendered ``synthfaces`` (or ``pairs:<path>``), not Multi-PIE.

Inputs: ``images`` float32 ``[batch, H, W, 3]`` in [-1, 1] (any pose) and ``landmarks`` float32
``[batch, 5, 2]``: (x, y) pixel positions of the left eye, right eye, nose tip, left and right
mouth corners (``ganzoo.data.synthfaces.LANDMARKS``). Landmarks are required — nothing here
detects them. Output: the frontal face ``[batch, H, W, 3]`` in [-1, 1].
"""

from ganzoo.models.frontalization.model import LOSS_NAMES, FrontalizationGAN, IdentityPretraining
from ganzoo.models.frontalization.networks import (
    NUM_LANDMARKS,
    PARTS,
    SYNTHFACES_TEMPLATE,
    CopyByAttention,
    LandmarkPatch,
    MaskBlend,
    PositionChannels,
    build_discriminator,
    build_generator,
    check_image_shape,
    patch_size,
)

__all__ = [
    "LOSS_NAMES",
    "NUM_LANDMARKS",
    "PARTS",
    "SYNTHFACES_TEMPLATE",
    "CopyByAttention",
    "FrontalizationGAN",
    "IdentityPretraining",
    "LandmarkPatch",
    "MaskBlend",
    "PositionChannels",
    "build_discriminator",
    "build_generator",
    "check_image_shape",
    "patch_size",
]
