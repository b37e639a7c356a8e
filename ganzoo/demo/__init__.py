"""A local web page to try the presets: ``python -m ganzoo.demo --port=7860`` (``pip install "ganzoo[demo]"``).

Tabs: DCGAN / LAPGAN digit samples with a seed and a latent walk, a caption box for
text-to-image (its vocabulary shown), photo upload for 4× super-resolution (at most
``models.SR_MAX_SIDE`` pixels a side), held-out faces for frontalization, CycleGAN digits,
and the 2-D mode-coverage scatter. It runs offline on 127.0.0.1 (``--host`` to change)
and prints its URL. ``models`` holds what each button computes; ``app`` lays it out with Gradio.
"""

from ganzoo.demo import models

__all__ = ["models"]
