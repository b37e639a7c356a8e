"""The web page: one tab per kind of model, laid out with Gradio (``pip install "ganzoo[demo]"``).

``build()`` returns the ``gradio.Blocks``; ``launch(port, host)`` serves it offline on
``host:port``. What each button computes lives in ``ganzoo.demo.models``. Element ids
(``elem_id``) name the buttons and images so a browser test can find them.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from ganzoo.demo import models
from ganzoo.errors import GanzooError

# Offline: no usage analytics, no version check, no hub look-ups, no node server for SSR.
OFFLINE_ENVIRONMENT = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_SSR_MODE": "False",
    "DO_NOT_TRACK": "1",
}


def _import_gradio():
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    try:
        import gradio
    except ImportError as error:
        raise GanzooError('ganzoo.demo: the web demo needs Gradio: pip install "ganzoo[demo]".') from error
    return gradio


def _shown(gr, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with ganzoo's one-line errors shown in the page (``gr.Error``) instead of a trace."""
    def run(*args):
        try:
            return function(*args)
        except GanzooError as error:
            raise gr.Error(str(error)) from None

    run.__name__ = function.__name__
    return run


def _image(gr, elem_id: str, label: str):
    return gr.Image(label=label, elem_id=elem_id, format="png", type="numpy", interactive=False)


def build():
    """The demo page: DCGAN / LAPGAN samples and latent walk, AC-GAN digits by class, text to image,
    4× super-resolution, frontalization, CycleGAN digits and the 2-D mode-coverage scatter (a tab
    for each kind whose presets ship)."""
    gr = _import_gradio()
    with gr.Blocks(title="ganzoo demo", analytics_enabled=False) as page:
        gr.Markdown("# ganzoo\nGANs from papers, trained offline, running on this machine's CPU. "
                    "Each tab uses a preset that ships inside ganzoo.")
        with gr.Tabs():
            sample_presets = models.available(models.SAMPLE_PRESETS)
            if sample_presets:
                with gr.Tab("Digits: samples", elem_id="tab-samples"):
                    preset = gr.Dropdown(sample_presets, value=sample_presets[0], label="Preset")
                    with gr.Row():
                        seed = gr.Number(value=0, precision=0, label="Noise seed")
                        count = gr.Slider(1, models.MAX_SAMPLES, value=16, step=1, label="Samples")
                    draw = gr.Button("Draw samples", variant="primary", elem_id="draw-samples")
                    out = _image(gr, "samples-image", "Samples (shown 4× larger)")
                    draw.click(_shown(gr, models.samples), [preset, seed, count], out)
                    gr.Markdown("**Latent walk**: the images on the way from seed A's noise to seed B's.")
                    with gr.Row():
                        seed_a = gr.Number(value=0, precision=0, label="Seed A")
                        seed_b = gr.Number(value=1, precision=0, label="Seed B")
                        steps = gr.Slider(2, 16, value=8, step=1, label="Steps")
                    walk = gr.Button("Walk", elem_id="walk")
                    walk_out = _image(gr, "walk-image", "Latent walk")
                    walk.click(_shown(gr, models.latent_walk), [preset, seed_a, seed_b, steps], walk_out)
            class_presets = models.available(models.CLASS_PRESETS)
            if class_presets:
                with gr.Tab("Digits by class", elem_id="tab-classes"):
                    class_preset = gr.Dropdown(class_presets, value=class_presets[0], label="Preset")
                    with gr.Row():
                        label = gr.Dropdown(["all"] + [str(k) for k in range(10)], value="all",
                                            label="Class (all: one row per class, same noise)")
                        class_seed = gr.Number(value=0, precision=0, label="Noise seed")
                    draw_class = gr.Button("Draw", variant="primary", elem_id="draw-classes")
                    class_out = _image(gr, "classes-image", "Samples (4× larger)")
                    draw_class.click(_shown(gr, models.class_samples), [class_preset, label, class_seed], class_out)
            if models.available((models.TEXT_PRESET,)):
                with gr.Tab("Text to image", elem_id="tab-text"):
                    caption = gr.Textbox(value="a large red circle at the top", label="Caption", elem_id="caption")
                    with gr.Row():
                        text_seed = gr.Number(value=0, precision=0, label="Noise seed")
                        text_count = gr.Slider(1, 16, value=8, step=1, label="Images")
                    make = gr.Button("Draw", variant="primary", elem_id="draw-text")
                    text_out = _image(gr, "text-image", "Images for the caption (4× larger)")
                    make.click(_shown(gr, models.text_to_image), [caption, text_seed, text_count], text_out)
                    caption.submit(_shown(gr, models.text_to_image), [caption, text_seed, text_count], text_out)
                    gr.Markdown("**Vocabulary** (other words count as unknown): "
                                + ", ".join(models.vocabulary()))
            sr_presets = models.available(models.SR_PRESETS)
            if sr_presets:
                with gr.Tab("Super-resolution 4×", elem_id="tab-sr"):
                    gr.Markdown(f"Upload a photo of at most {models.SR_MAX_SIDE}×{models.SR_MAX_SIDE} pixels "
                                f"(PNG or JPEG); the answer is 4× larger in each side.")
                    sr_preset = gr.Dropdown(sr_presets, value=sr_presets[0], label="Preset")
                    photo = gr.Image(label="Photo", type="numpy", image_mode="RGB", elem_id="sr-input",
                                     sources=["upload"])
                    upscale = gr.Button("Super-resolve", variant="primary", elem_id="super-resolve")
                    sr_out = _image(gr, "sr-image", "4× super-resolved")
                    upscale.click(_shown(gr, models.super_resolve), [photo, sr_preset], sr_out)
            if models.available((models.FACE_PRESET,)):
                with gr.Tab("Frontalization", elem_id="tab-faces"):
                    gr.Markdown("Held-out synthetic faces: profile (top), frontalized (middle), true frontal "
                                "(bottom). The generator needs each face's five landmarks, which ganzoo does "
                                "not detect, so faces come from the held-out set rather than an upload.")
                    face_seed = gr.Number(value=0, precision=0, label="Which faces (seed)")
                    front = gr.Button("Frontalize", variant="primary", elem_id="frontalize")
                    face_out = _image(gr, "faces-image", "Profiles | frontalized | truth")
                    front.click(_shown(gr, models.frontalize), [face_seed], face_out)
            if models.available((models.CYCLE_PRESET,)):
                with gr.Tab("CycleGAN digits", elem_id="tab-cycle"):
                    gr.Markdown("Digits of one style to the other (A → B) without paired examples. Without an "
                                "upload: held-out digits of both domains, translated and translated back.")
                    digit = gr.Image(label="A digit (optional)", type="numpy", elem_id="cycle-input",
                                     sources=["upload"])
                    cycle_seed = gr.Number(value=0, precision=0, label="Which held-out digits (seed)")
                    translate = gr.Button("Translate", variant="primary", elem_id="translate")
                    cycle_out = _image(gr, "cycle-image", "Translations")
                    translate.click(_shown(gr, models.translate_digit), [digit, cycle_seed], cycle_out)
            point_presets = models.available(models.POINT_PRESETS)
            if point_presets:
                with gr.Tab("Mode coverage (2-D)", elem_id="tab-points"):
                    point_preset = gr.Dropdown(point_presets, value=point_presets[0], label="Preset")
                    points = gr.Slider(100, 10_000, value=2500, step=100, label="Points")
                    scatter = gr.Button("Scatter", variant="primary", elem_id="scatter")
                    scatter_out = _image(gr, "points-image", "Real | generated")
                    coverage = gr.Markdown(elem_id="coverage")
                    scatter.click(_shown(gr, models.mode_coverage), [point_preset, points], [scatter_out, coverage])
    return page


def launch(port: int = 7860, host: str = "127.0.0.1", block: bool = True):
    """Serves ``build()`` on ``http://host:port/``, offline, and prints the URL once it answers.

    With ``block`` it serves until interrupted; otherwise it returns the ``gradio.Blocks``
    (``.close()`` stops it).
    """
    import logging

    gr = _import_gradio()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own start-up requests
    page = build()
    page.queue(default_concurrency_limit=1)  # 2 CPU cores: one model call at a time
    page.launch(server_name=host, server_port=int(port), share=False, inbrowser=False, quiet=True,
                ssr_mode=False, mcp_server=False, prevent_thread_lock=True, footer_links=[],
                theme=gr.themes.Default())
    print(f"ganzoo.demo: serving on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    if block:
        page.block_thread()
    return page


__all__ = ["build", "launch", "OFFLINE_ENVIRONMENT"]
