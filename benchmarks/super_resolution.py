r"""Super-resolution on held-out real photos: bicubic vs SRResNet vs SRGAN (Ledig et al. 2017).

    python benchmarks/super_resolution.py --srresnet=/tmp/srresnet [--srgan=/tmp/srgan] \
        [--scale=4] [--split=test] [--lr_from=tf,pil] [--self_ensemble[=on|off|model]] \
        [--png=/tmp/sr_side_by_side.png]

``--srresnet`` / ``--srgan``: a training run's workdir (its checkpoints/model.keras), a .keras
file or a preset (``--srresnet=srresnet_photos``); either may be left out (its column is then
skipped). The images are the whole held-out photos of ``ganzoo.data.photos`` (astronaut, chelsea,
coffee; never cropped for training), each cropped to multiples of the scale. ``--lr_from`` lists
how the LR photos are made (``ganzoo.data.photos.downscale_photo``; each is measured): ``tf``
(TF's antialiased bicubic, the training degradation), ``pil`` (PIL's BICUBIC, antialiased
a = -0.5 as MATLAB's imresize), ``tf_aliased`` (``tf.image.resize``'s defaults: no antialiasing),
all rounded to 8 bits. Measures follow SR papers: PSNR and SSIM on the BT.601 Y channel, a
border of ``scale`` pixels shaved, outputs rounded to 8 bits (``ganzoo.metrics.psnr``/``ssim``),
averaged over images. ``sharpness`` is a no-reference figure: the mean gradient magnitude of the
output's Y channel (same shave) divided by the HR photo's — 1 is the photo's own sharpness,
bicubic and MSE-trained models stay below it (blur), a GAN's texture moves it up.
``--self_ensemble``: EDSR+'s 8-view self-ensemble (Lim et al. 2017) for every model (``on``,
or the bare flag), for none (``off``), or as each model is set (``model``, the default: a model
saved with ``self_ensemble=True`` is also measured in one pass, reported as ``<name>_one_pass``).

Prints a table per image and the means for each LR source, writes a side-by-side PNG (the first
source; per photo, a 128x128 HR centre crop: LR (nearest) | bicubic | SRResNet | SRGAN | HR,
each shown 2x), and ends with one JSON line whose top-level figures are the first source's.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganzoo import metrics  # noqa: E402
from ganzoo.data import photos  # noqa: E402

PANEL = 128  # HR pixels of each side-by-side crop


def load(path: str | None):
    """A trained SRGAN/SRResNet from a run's workdir, a .keras file or a preset (no VGG weights needed).

    A preset is its name (``srresnet_photos``) or a folder holding its preset.json.
    """
    if not path:
        return None
    import keras

    import ganzoo.models.srgan  # noqa: F401  (registers the class)
    from ganzoo import presets

    if os.path.isfile(os.path.join(path, presets.METADATA_FILE)) or (
            not os.path.exists(path) and path in presets.available()):
        return presets.load(path)
    file = path if path.endswith(".keras") else os.path.join(path, "checkpoints", "model.keras")
    if not os.path.exists(file):
        raise SystemExit(f"super_resolution: no trained model at '{file}'; finish a ganzoo.train run first.")
    return keras.models.load_model(file, compile=False)


def measure(prediction: np.ndarray, target: np.ndarray, scale: int) -> tuple[float, float]:
    kwargs = dict(value_range=(-1.0, 1.0), y_channel=True, shave=scale, quantize=True)
    return float(metrics.psnr(prediction, target, **kwargs)[0]), float(metrics.ssim(prediction, target, **kwargs)[0])


def gradient_magnitude(image: np.ndarray, shave: int) -> float:
    """Mean |∇Y| of an ``[H, W, 3]`` image in [-1, 1] (8-bit rounded, ``shave`` pixels removed)."""
    unit = np.round((np.clip(image, -1.0, 1.0) + 1.0) * 127.5) / 255.0
    y = metrics.rgb_to_y(unit, value_range=(0.0, 1.0))[shave:-shave or None, shave:-shave or None, 0]
    dy, dx = np.diff(y, axis=0)[:, :-1], np.diff(y, axis=1)[:-1, :]
    return float(np.mean(np.hypot(dx, dy)))


def sharpness(prediction: np.ndarray, target: np.ndarray, scale: int) -> float:
    """No-reference sharpness relative to the photo: mean |∇Y| of ``prediction`` / of ``target``."""
    return gradient_magnitude(prediction, scale) / gradient_magnitude(target, scale)


def panel(image: np.ndarray, top: int, left: int, size: int, zoom: int = 2) -> np.ndarray:
    crop = image[top : top + size, left : left + size]
    return np.repeat(np.repeat(crop, zoom, axis=0), zoom, axis=1)


def evaluate(models: dict, methods: list[str], pairs: list[dict], scale: int, verbose: bool = True,
             self_ensemble: bool | None = None):
    """Scores (PSNR, SSIM, sharpness) per method and image, seconds per method, and the panels' rows.

    ``self_ensemble``: True / False make every model super-resolve with / without EDSR+'s 8-view
    self-ensemble; None keeps each model's own ``self_ensemble`` setting. A method named
    ``<model>_one_pass`` is that model without the ensemble.
    """
    rows, scores, seconds = [], {m: [] for m in methods}, {m: 0.0 for m in methods}
    for pair in pairs:
        lr, hr = pair["lr"], pair["hr"]
        outputs = {}
        start = time.perf_counter()
        outputs["bicubic"] = photos.upscale_bicubic(lr, scale).numpy()
        seconds["bicubic"] += time.perf_counter() - start
        for name in methods[1:]:
            start = time.perf_counter()
            model, ensemble = (models[name[: -len("_one_pass")]], False) if name.endswith("_one_pass") else (
                models[name], self_ensemble)
            outputs[name] = model.super_resolve(lr, self_ensemble=ensemble)  # [-1, 1], clipped
            seconds[name] += time.perf_counter() - start
        for name in methods:
            scores[name].append((*measure(outputs[name], hr, scale), sharpness(outputs[name], hr, scale)))
        top = max(0, (hr.shape[0] - PANEL) // 2) // scale * scale
        left = max(0, (hr.shape[1] - PANEL) // 2) // scale * scale
        lr_big = np.repeat(np.repeat(lr, scale, axis=0), scale, axis=1)
        blank = np.ones_like(hr)  # white where a model was not given
        columns = [lr_big, outputs["bicubic"], outputs.get("srresnet", blank), outputs.get("srgan", blank), hr]
        rows.append(np.concatenate([panel(c, top, left, PANEL) for c in columns], axis=1))
        if verbose:
            line = "  ".join(f"{m} {p:6.2f} dB / {s:.4f} / {g:.3f}"
                             for m, (p, s, g) in zip(methods, (scores[m][-1] for m in methods)))
            print(f"{pair['name']:<10} {hr.shape[1]}x{hr.shape[0]}  {line}")
    summary = {m: {"psnr": float(np.mean([s[0] for s in scores[m]])),
                   "ssim": float(np.mean([s[1] for s in scores[m]])),
                   "sharpness": float(np.mean([s[2] for s in scores[m]])),
                   "seconds": round(seconds[m], 3)} for m in methods}
    summary["srresnet_gain_db"] = (summary["srresnet"]["psnr"] - summary["bicubic"]["psnr"]) if "srresnet" in summary else None
    if "srresnet_one_pass" in summary:
        summary["srresnet_one_pass_gain_db"] = summary["srresnet_one_pass"]["psnr"] - summary["bicubic"]["psnr"]
    summary["srgan_vs_srresnet_db"] = (summary["srgan"]["psnr"] - summary["srresnet"]["psnr"]
                                       if {"srgan", "srresnet"} <= set(summary) else None)
    return summary, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--srresnet", default="", help="SRResNet run workdir, .keras or preset")
    parser.add_argument("--srgan", default="", help="SRGAN run workdir, .keras or preset")
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--split", default="test", help="photos split: test (held-out), train or all")
    parser.add_argument("--lr_from", default="tf,pil",
                        help=f"comma-separated LR downscalings to measure, of {', '.join(photos.LR_SOURCES)}")
    parser.add_argument("--self_ensemble", nargs="?", const="on", default="model", choices=("model", "on", "off"),
                        help="average each model's outputs over the 8 flips and quarter-turns of the LR (EDSR+; 8x "
                             "slower): on, off, or model (default: each model's own self_ensemble setting; a model "
                             "set to it is also measured in one pass, as <name>_one_pass)")
    parser.add_argument("--png", default=os.path.join(tempfile.gettempdir(), "sr_side_by_side.png"),
                        help="side-by-side image path (default: in the temporary folder, not the checkout)")
    args = parser.parse_args()
    sources = [s.strip() for s in args.lr_from.split(",") if s.strip()]
    unknown = sorted(set(sources) - set(photos.LR_SOURCES))
    if unknown or not sources:
        raise SystemExit(f"super_resolution: --lr_from={args.lr_from}: use a comma-separated list of "
                         f"{', '.join(photos.LR_SOURCES)}.")

    models = {"srresnet": load(args.srresnet), "srgan": load(args.srgan)}
    for name, model in models.items():
        if model is not None and model.scale != args.scale:
            raise SystemExit(f"super_resolution: --{name} is a {model.scale}x model; pass --scale={model.scale}.")
    methods = ["bicubic"] + [name for name, model in models.items() if model is not None]
    ensemble = {"model": None, "on": True, "off": False}[args.self_ensemble]
    if ensemble is None:  # a model that infers with the ensemble is reported in one pass beside it
        methods += [f"{name}_one_pass" for name in methods[1:] if models[name].self_ensemble]
    by_source, names = {}, []
    for source in sources:
        pairs = photos.full_pairs(args.split, args.scale, lr_from=source)
        names = [p["name"] for p in pairs]
        print(f"LR made by '{source}' (PSNR dB / SSIM / sharpness per method)")
        summary, rows = evaluate(models, methods, pairs, args.scale, self_ensemble=ensemble)
        by_source[source] = summary
        if source == sources[0]:
            grid = np.concatenate(rows, axis=0)
            png = np.round((np.clip(grid, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
            tf.io.write_file(args.png, tf.io.encode_png(png))

    print(f"\n{args.scale}x, {len(names)} held-out photos ({', '.join(names)}), "
          f"Y channel, {args.scale}-pixel border shaved; sharpness = mean |grad Y| / the photo's")
    print(f"{'LR from':<11} {'method':<17} {'PSNR dB':>8} {'SSIM':>7} {'vs bicubic':>11} {'sharpness':>10}")
    for source, summary in by_source.items():
        for m in methods:
            gain = summary[m]["psnr"] - summary["bicubic"]["psnr"]
            print(f"{source:<11} {m:<17} {summary[m]['psnr']:8.2f} {summary[m]['ssim']:7.4f} {gain:+10.2f} "
                  f"{summary[m]['sharpness']:10.3f}")
    print(f"side-by-side (LR from '{sources[0]}': LR | bicubic | SRResNet | SRGAN | HR): {args.png}")
    result = {"benchmark": "super_resolution", "scale": args.scale, "split": args.split, "images": names,
              "self_ensemble": {name: bool(models[name].self_ensemble if ensemble is None else ensemble)
                                for name in methods[1:] if not name.endswith("_one_pass")},
              **by_source[sources[0]], "lr_from": sources[0],
              "lr_sources": by_source, "png": args.png}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
