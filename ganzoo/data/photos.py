"""Super-resolution pairs: ``photos`` (scikit-image's bundled photographs) and ``sr_crops:<source>``.

Both yield ``(lr, hr)`` float32 pairs in [-1, 1] for single-image super-resolution (Ledig et al.
2017, SRGAN, arXiv 1609.04802): ``hr`` is a random ``image_size``×``image_size`` crop (default
96, the paper's) of a full-resolution photograph, randomly flipped and rotated by a multiple of
90° (the 8 symmetries of the square) in training, and ``lr`` is that crop downscaled ``scale``×
(default 4) by antialiased bicubic interpolation in tf.data and rounded to 8-bit levels, as a
low-resolution image file would be. Each pass gives ``crops_per_image`` crops of every image,
fresh crops each pass (``tf.data.Dataset.random`` re-randomises per iteration; fixed by ``seed``).

``photos`` — real photographs that ship inside scikit-image (no download, no pooch), split BY
IMAGE so that no held-out photo is ever cropped for training:

    train  rocket, hubble_deep_field, immunohistochemistry, retina, motorcycle (stereo left
           view), camera, coins, moon, brick, grass, gravel, cell           (12 images)
    test   astronaut, chelsea, coffee                                        (3 images)
    extra  clock, page, text, motorcycle_right (the stereo pair's right view),
           scikit-learn's china and flower and matplotlib's grace_hopper: the other
           bundled photographs, added to the training split by
           ``extra_photos=True``                                            (7 images)

Never trained on: scikit-image's ``cat`` is the held-out ``chelsea`` itself; its synthetic
images (checkerboard, colorwheel, logo, binary_blobs, horse, shepp_logan_phantom) and those
smaller than a crop (microaneurysms, lfw_subset) are not photographs for this task.

The test split gives fixed crops (the same every pass, no flips) for validation;
``full_pairs("test")`` gives the whole held-out photos for evaluation (``benchmarks/
super_resolution.py``). ``sr_crops:<folder path>`` and ``sr_crops:tfds:<name>`` (e.g.
``sr_crops:tfds:div2k/bicubic_x4`` with ``image_key="hr"``) make the same pairs from users' own
full-resolution images.

Conversions (documented, never silent errors): grayscale photographs are replicated to RGB;
RGBA images lose their alpha channel (decoders keep the colour channels); images are cropped so
that their sides are multiples of ``scale`` before full-image downscaling. Images smaller than
the crop are left out: in ``photos`` with a warning naming them (an error when none is left);
in ``sr_crops`` by a filter in the pipeline (see its docstring). ``image_size`` must be a
multiple of ``scale``.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from absl import logging
import numpy as np
import tensorflow as tf

from ganzoo.data.registry import Source, import_tfds, register
from ganzoo.errors import GanzooError

# (name, skimage.data function, index into its tuple result or None). All ship with scikit-image.
_PHOTOS = {
    "astronaut": ("astronaut", None),
    "chelsea": ("chelsea", None),
    "coffee": ("coffee", None),
    "rocket": ("rocket", None),
    "hubble_deep_field": ("hubble_deep_field", None),
    "immunohistochemistry": ("immunohistochemistry", None),
    "retina": ("retina", None),
    "motorcycle": ("stereo_motorcycle", 0),
    "camera": ("camera", None),
    "coins": ("coins", None),
    "moon": ("moon", None),
    "brick": ("brick", None),
    "grass": ("grass", None),
    "gravel": ("gravel", None),
    "cell": ("cell", None),
    "clock": ("clock", None),
    "page": ("page", None),
    "text": ("text", None),
    "motorcycle_right": ("stereo_motorcycle", 1),
    "china": ("sklearn:china.jpg", None),
    "flower": ("sklearn:flower.jpg", None),
    "grace_hopper": ("matplotlib:grace_hopper.jpg", None),
    "gradio_cheetah": ("gradio:media_assets/images/cheetah.jpg", None),
    "gradio_cheetah2": ("gradio:test_data/cheetah2.jpg", None),
    "gradio_tower": ("gradio:media_assets/images/tower.jpg", None),
}
TEST_PHOTOS = ("astronaut", "chelsea", "coffee")
EXTRA_TRAIN_PHOTOS = ("clock", "page", "text", "motorcycle_right", "china", "flower", "grace_hopper")
# Photographs Gradio ships (ganzoo[demo] and ganzoo[test] install it): training split only, on request.
GRADIO_PHOTOS = ("gradio_cheetah", "gradio_cheetah2", "gradio_tower")
TRAIN_PHOTOS = tuple(name for name in _PHOTOS if name not in TEST_PHOTOS + EXTRA_TRAIN_PHOTOS + GRADIO_PHOTOS)
SPLITS = ("train", "test", "all")
DEFAULT_CROP = 96        # the paper's HR crop
DEFAULT_SCALE = 4        # the paper's factor
CROPS_PER_IMAGE = {"train": 64, "test": 8, "all": 64}


def to_rgb_uint8(image: Any, name: str = "image") -> np.ndarray:
    """An image array as ``[H, W, 3]`` uint8: gray replicated, alpha dropped, [0, 1] floats scaled.

    Raises GanzooError for other channel counts, NaN pixels or floats outside [0, 1].
    """
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 3, 4):
        raise GanzooError(
            f"ganzoo.data: {name} has shape {image.shape}; super-resolution takes [H, W] grayscale or "
            "[H, W, 1|3|4] images."
        )
    if image.dtype != np.uint8:
        image = image.astype(np.float64)
        if np.isnan(image).any():
            raise GanzooError(f"ganzoo.data: {name} has NaN pixels; fix or drop the image.")
        if image.min() < 0.0 or image.max() > 1.0:
            raise GanzooError(
                f"ganzoo.data: {name} is {image.dtype} with values in [{image.min():g}, {image.max():g}]; "
                "float images must be in [0, 1] (pass uint8 arrays for [0, 255])."
            )
        image = np.round(image * 255.0).astype(np.uint8)
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    return np.ascontiguousarray(image[..., :3])


def load_photo(name: str) -> np.ndarray:
    """One bundled photograph as ``[H, W, 3]`` uint8 (RGB)."""
    if name not in _PHOTOS:
        raise GanzooError(f"ganzoo.data: no bundled photo '{name}'; choose from {', '.join(_PHOTOS)}.")
    function, index = _PHOTOS[name]
    if function.startswith("matplotlib:"):
        import matplotlib.cbook  # ships grace_hopper.jpg in its sample data
        import matplotlib.image

        path = matplotlib.cbook.get_sample_data(function[len("matplotlib:"):], asfileobj=False)
        return to_rgb_uint8(matplotlib.image.imread(path), f"photo '{name}'")
    if function.startswith("gradio:"):
        return to_rgb_uint8(_gradio_image(name, function[len("gradio:"):]), f"photo '{name}'")
    if function.startswith("sklearn:"):
        from sklearn.datasets import load_sample_image  # ships china.jpg and flower.jpg

        return to_rgb_uint8(load_sample_image(function[len("sklearn:"):]), f"photo '{name}'")
    import skimage.data  # imported here: only this source needs scikit-image

    try:
        image = getattr(skimage.data, function)()
    except Exception as error:  # a scikit-image that no longer bundles it would try to download
        raise GanzooError(
            f"ganzoo.data: scikit-image could not load its bundled photo '{name}' offline ({type(error).__name__}); "
            "install a scikit-image that ships it (0.19-0.26 do)."
        ) from None
    if index is not None:
        image = image[index]
    return to_rgb_uint8(image, f"photo '{name}'")


def _gradio_image(name: str, relative: str) -> np.ndarray:
    """A photograph from the installed Gradio package's files, found without importing Gradio."""
    import importlib.util

    from PIL import Image

    spec = importlib.util.find_spec("gradio")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = os.path.join(folder, relative)
        if os.path.isfile(path):
            with Image.open(path) as image:
                return np.asarray(image.convert("RGB"))
    raise GanzooError(
        f"ganzoo.data: photo '{name}' comes from the Gradio package ({relative}), which "
        f"{'does not ship it' if folders else 'is not installed'}; pip install 'ganzoo[demo]' (Gradio 6), "
        "or train without gradio_photos."
    )


def photo_names(split: str, extra_photos: bool = False, gradio_photos: bool = False) -> tuple[str, ...]:
    """The photos of ``split``: ``train``, ``test`` (held-out) or ``all`` (train + test).

    ``extra_photos`` adds ``EXTRA_TRAIN_PHOTOS`` and ``gradio_photos`` adds ``GRADIO_PHOTOS`` to
    ``train`` and ``all`` (never to ``test``).
    """
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: photos has splits {', '.join(SPLITS)}, not '{split}'.")
    extra = (EXTRA_TRAIN_PHOTOS if extra_photos else ()) + (GRADIO_PHOTOS if gradio_photos else ())
    return {"train": TRAIN_PHOTOS + extra, "test": TEST_PHOTOS, "all": TRAIN_PHOTOS + TEST_PHOTOS + extra}[split]


def check_rescale_min(rescale_min: float) -> float:
    """Validates the scale augmentation's smallest factor, in (0, 1]; returns it as a float."""
    try:
        value = float(rescale_min)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 < value <= 1.0:
        raise GanzooError(
            f"ganzoo.data: rescale_min={rescale_min!r} must be in (0, 1] (the smallest factor a training "
            "photo is shrunk by; 1 turns scale augmentation off, FSRCNN used 0.6)."
        )
    return value


def check_crop(image_size: int, scale: int) -> tuple[int, int]:
    """Validates the HR crop and the scale factor; returns them as ints."""
    size, scale = int(image_size), int(scale)
    if scale not in (2, 3, 4):
        raise GanzooError(f"ganzoo.data: scale={scale} is not supported; use 2, 3 or 4.")
    if size < scale or size % scale:
        raise GanzooError(
            f"ganzoo.data: image_size={size} (the HR crop) must be a positive multiple of scale={scale}, "
            f"e.g. {max(scale, size // scale * scale) or scale * 24}."
        )
    return size, scale


# ------------------------------------------------------------------ the LR image


def downscale(hr: tf.Tensor, scale: int, quantize: bool = True) -> tf.Tensor:
    """LR from HR: antialiased bicubic downscaling by ``scale``, clipped, rounded to 8-bit levels.

    ``hr``: ``[..., H, W, C]`` float in [-1, 1], H and W multiples of ``scale``.
    Returns ``[..., H/scale, W/scale, C]`` float32 in [-1, 1].
    """
    hr = tf.convert_to_tensor(hr, tf.float32)
    shape = tf.shape(hr)
    size = tf.stack([shape[-3] // scale, shape[-2] // scale])
    lr = tf.image.resize(hr, size, method="bicubic", antialias=True)
    lr = tf.clip_by_value(lr, -1.0, 1.0)
    if quantize:  # as if saved to an 8-bit file
        lr = tf.round((lr + 1.0) * 127.5) / 127.5 - 1.0
    return lr


def upscale_bicubic(lr: tf.Tensor, scale: int) -> tf.Tensor:
    """The bicubic baseline: ``[..., h, w, C]`` -> ``[..., h·scale, w·scale, C]``, clipped to [-1, 1]."""
    lr = tf.convert_to_tensor(lr, tf.float32)
    shape = tf.shape(lr)
    size = tf.stack([shape[-3] * scale, shape[-2] * scale])
    return tf.clip_by_value(tf.image.resize(lr, size, method="bicubic"), -1.0, 1.0)


# How full_pairs makes LR photos: ganzoo's training degradation, PIL's, and TF's default resize.
LR_SOURCES = ("tf", "pil", "tf_aliased")


def downscale_photo(hr: np.ndarray, scale: int, lr_from: str = "tf") -> np.ndarray:
    """An LR photo from a uint8 ``[H, W, 3]`` HR photo (sides multiples of ``scale``), as uint8.

    ``lr_from``: ``"tf"`` — ``downscale`` (TF's antialiased bicubic, what ganzoo trains on);
    ``"pil"`` — PIL's ``Image.resize(..., BICUBIC)`` (antialiased, a = −0.5, as MATLAB's
    ``imresize``; within one 8-bit level of ``"tf"``); ``"tf_aliased"`` — ``tf.image.resize``
    with its defaults (bicubic without antialiasing: aliased, a different degradation).
    """
    if lr_from not in LR_SOURCES:
        raise GanzooError(f"ganzoo.data: lr_from='{lr_from}' is unknown; use one of {', '.join(LR_SOURCES)}.")
    height, width = hr.shape[0] // scale, hr.shape[1] // scale
    if lr_from == "pil":
        from PIL import Image  # scikit-image depends on Pillow

        return np.asarray(Image.fromarray(hr).resize((width, height), Image.BICUBIC))
    x = tf.constant(hr, tf.float32) / 127.5 - 1.0
    lr = downscale(x, scale) if lr_from == "tf" else tf.image.resize(x, [height, width], method="bicubic")
    return np.round((np.clip(lr.numpy(), -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def full_pairs(split: str = "test", scale: int = DEFAULT_SCALE, lr_from: str = "tf") -> list[dict[str, Any]]:
    """Whole photos as SR pairs: ``[{"name", "lr" [h, w, 3], "hr" [h·s, w·s, 3]}]`` float32 in [-1, 1].

    Each HR photo is first cropped (top-left kept) to sides that are multiples of ``scale``;
    ``lr_from`` chooses the downscaling (``downscale_photo``; default the training one).
    """
    _, scale = check_crop(scale, scale)
    pairs = []
    for name in photo_names(split):
        image = load_photo(name)
        height, width = image.shape[0] // scale * scale, image.shape[1] // scale * scale
        hr = image[:height, :width]
        if lr_from == "tf":  # exactly the float pipeline the stored figures were measured with
            lr = downscale(hr.astype(np.float32) / 127.5 - 1.0, scale).numpy()
        else:
            lr = downscale_photo(hr, scale, lr_from).astype(np.float32) / 127.5 - 1.0
        pairs.append({"name": name, "hr": hr.astype(np.float32) / 127.5 - 1.0, "lr": lr})
    return pairs


# ------------------------------------------------------------------ random crops


def _pair_from(image: tf.Tensor, seed: tf.Tensor, size: int, scale: int, augment: bool, rescale_min: float = 1.0):
    """One (lr, hr) pair from a uint8 ``[H, W, 3]`` image with a stateless ``seed`` ``[2]``.

    ``rescale_min`` < 1: the HR crop is a ``size / f`` square (at most the image's shorter side)
    shrunk to ``size`` by antialiased bicubic and rounded to 8 bits, ``f`` uniform in
    ``[rescale_min, 1]`` — the photo seen at a random smaller scale.
    """
    if rescale_min < 1.0:
        factor = tf.random.stateless_uniform([], seed + [0, 3], rescale_min, 1.0)
        side = tf.cast(tf.round(size / factor), tf.int32)
        side = tf.clip_by_value(side, size, tf.reduce_min(tf.shape(image)[:2]))
        patch = tf.image.stateless_random_crop(image, tf.stack([side, side, 3]), seed=seed)
        hr = tf.image.resize(tf.cast(patch, tf.float32), [size, size], method="bicubic", antialias=True)
        hr = tf.cast(tf.round(tf.clip_by_value(hr, 0.0, 255.0)), tf.uint8)
    else:
        hr = tf.image.stateless_random_crop(image, [size, size, 3], seed=seed)
    if augment:
        hr = tf.image.stateless_random_flip_left_right(hr, seed=seed + [0, 1])
        turns = tf.random.stateless_uniform([], seed + [0, 2], 0, 4, dtype=tf.int32)
        hr = tf.image.rot90(hr, turns)
    hr = tf.cast(hr, tf.float32) / 127.5 - 1.0
    hr = tf.ensure_shape(hr, [size, size, 3])
    lr = tf.ensure_shape(downscale(hr, scale), [size // scale, size // scale, 3])
    return lr, hr


def crop_pairs(
    images: tf.data.Dataset, size: int, scale: int, crops_per_image: int, seed: int, augment: bool,
    rerandomize: bool, rescale_min: float = 1.0,
) -> tf.data.Dataset:
    """``crops_per_image`` random (lr, hr) pairs from each uint8 ``[H, W, 3]`` image of ``images``.

    Images smaller than ``size`` in either side are filtered out. ``rescale_min``: see ``photos``.
    """
    images = images.filter(lambda image: tf.reduce_all(tf.shape(image)[:2] >= size))
    randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=rerandomize)

    def crops(image, r):
        return tf.data.Dataset.range(crops_per_image).map(
            lambda k: _pair_from(image, tf.stack([r, k * 8]), size, scale, augment, rescale_min)
        )

    return tf.data.Dataset.zip((images, randoms)).flat_map(crops)


def _check_common(name, channels, with_labels, crops_per_image):
    if channels not in (None, 3):
        raise GanzooError(f"ganzoo.data: {name} yields RGB pairs; channels={channels} is not supported (use 3).")
    if with_labels:
        raise GanzooError(f"ganzoo.data: {name} has no labels; its examples are (lr, hr) pairs.")
    if crops_per_image is not None and int(crops_per_image) < 1:
        raise GanzooError(f"ganzoo.data: crops_per_image={crops_per_image} must be at least 1.")


@register("photos", description="scikit-image's bundled photographs as (lr, hr) super-resolution crops, split by image; offline")
def photos(
    split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
    scale=DEFAULT_SCALE, crops_per_image=None, augment=None, names: Sequence[str] | None = None,
    extra_photos: bool = False, gradio_photos: bool = False, rescale_min: float = 1.0,
) -> Source:
    """(lr, hr) crops of the ``split``'s photos (or of ``names``, a list of bundled photo names).

    Options: ``scale`` (2, 3, 4), ``image_size`` (HR crop, default 96), ``crops_per_image`` per
    pass (train 64, test 8), ``augment`` (flips and 90° turns; default: training split only),
    ``extra_photos`` (also the seven other bundled photographs, ``EXTRA_TRAIN_PHOTOS``, in
    ``train``; the held-out photos are never added), ``gradio_photos`` (also the three
    photographs the Gradio package ships, ``GRADIO_PHOTOS``: two cheetahs and a tower; training
    split only; needs ``ganzoo[demo]``), ``rescale_min`` (scale augmentation as in
    FSRCNN, Dong et al. 2016, arXiv 1608.00367: each training crop is taken from the photo shrunk
    by a random factor in ``[rescale_min, 1]``; default 1, off; training split only).
    """
    _check_common("photos", channels, with_labels, crops_per_image)
    size, scale = check_crop(image_size or DEFAULT_CROP, scale)
    rescale_min = check_rescale_min(rescale_min)
    chosen = tuple(names) if names else photo_names(split, extra_photos, gradio_photos)
    training = split == "train"
    augment = training if augment is None else bool(augment)
    per_image = int(crops_per_image or CROPS_PER_IMAGE.get(split, 64))
    images, small = [], []
    for name in chosen:
        image = load_photo(name)
        (images if min(image.shape[:2]) >= size else small).append((name, image))
    if small:
        logging.warning(
            "ganzoo.data: photos %s are smaller than the %dx%d crop and are left out.",
            ", ".join(f"'{n}' ({i.shape[0]}x{i.shape[1]})" for n, i in small), size, size,
        )
    if not images:
        raise GanzooError(
            f"ganzoo.data: every photo of split '{split}' is smaller than image_size={size}; use a smaller crop."
        )
    arrays = [image for _, image in images]
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(arrays), output_signature=tf.TensorSpec([None, None, 3], tf.uint8)
    )
    # Held-out crops are the same every pass (rerandomize=False) so validation numbers compare.
    dataset = crop_pairs(
        dataset, size, scale, per_image, seed, augment, rerandomize=training,
        rescale_min=rescale_min if training else 1.0,
    )
    return Source(dataset, len(arrays) * per_image, in_memory=True, shuffled=False)


@register("sr_crops", takes_argument=True,
          description="(lr, hr) super-resolution crops of full-size images: sr_crops:<folder> or sr_crops:tfds:<name>")
def sr_crops(
    argument, split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
    scale=DEFAULT_SCALE, crops_per_image=16, augment=None, data_dir=None, image_key="image",
    rescale_min: float = 1.0,
) -> Source:
    """(lr, hr) crops of users' full-resolution images, e.g. DIV2K's HR photos.

    ``sr_crops:/data/DIV2K_train_HR`` reads image files under a folder (as ``folder:``, but at
    full resolution); ``sr_crops:tfds:div2k/bicubic_x4`` reads a prepared TFDS dataset's
    ``image_key`` feature (``"hr"`` for DIV2K) from ``data_dir``; the dataset's own LR images
    are not used — LR comes from ``downscale`` like every ganzoo pair. Images are streamed:
    ``crops_per_image`` crops (default 16) are taken from each decoded image and ``load``'s
    shuffle buffer mixes them. Images smaller than the crop are skipped by a tf.data filter.
    ``rescale_min``: scale augmentation of the training crops, as in ``photos``.
    """
    _check_common("sr_crops", channels, with_labels, crops_per_image)
    size, scale = check_crop(image_size or DEFAULT_CROP, scale)
    rescale_min = check_rescale_min(rescale_min)
    training = split == "train"
    augment = training if augment is None else bool(augment)
    if argument.startswith("tfds:"):
        name = argument[len("tfds:"):]
        tfds = import_tfds()  # imported here: only this source needs it

        try:
            builder = tfds.builder(name, data_dir=os.path.expanduser(data_dir) if data_dir else None)
            dataset = builder.as_dataset(split=split, shuffle_files=shuffle, read_config=tfds.ReadConfig(shuffle_seed=seed))
        except Exception as error:  # TFDS raises many types; the user needs one message
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise GanzooError(
                f"ganzoo.data: TFDS dataset '{name}' (split '{split}') could not be read: {first}. Prepare it "
                "where there is network (`tfds build NAME`) and pass its data_dir."
            ) from None
        if image_key not in builder.info.features:
            raise GanzooError(
                f"ganzoo.data: TFDS dataset '{name}' has no '{image_key}' feature (it has "
                f"{', '.join(builder.info.features.keys())}); set the image_key option (DIV2K: 'hr')."
            )
        images = dataset.map(lambda example: _rgb(example[image_key]), num_parallel_calls=tf.data.AUTOTUNE)
        try:
            count = builder.info.splits[split].num_examples
        except Exception:
            count = None
    else:
        from ganzoo.data.folder import list_images

        files = list_images(argument)
        count = len(files)
        names = tf.data.Dataset.from_tensor_slices(files)
        if shuffle:
            names = names.shuffle(len(files), seed=seed, reshuffle_each_iteration=True)
        images = names.map(
            lambda f: _rgb(tf.io.decode_image(tf.io.read_file(f), expand_animations=False)),
            num_parallel_calls=tf.data.AUTOTUNE,
        ).ignore_errors(log_warning=True)
    dataset = crop_pairs(images, size, scale, int(crops_per_image), seed, augment, rerandomize=training,
                         rescale_min=rescale_min if training else 1.0)
    return Source(dataset, None if count is None else count * int(crops_per_image), in_memory=False, shuffled=False)


def _rgb(image: tf.Tensor) -> tf.Tensor:
    """Decoded uint8 ``[H, W, 1|3|4]`` -> ``[H, W, 3]``: gray replicated, alpha dropped."""
    image = tf.convert_to_tensor(image)
    if image.dtype != tf.uint8:
        image = tf.image.convert_image_dtype(image, tf.uint8, saturate=True)
    channels = tf.shape(image)[-1]
    image = tf.cond(channels < 3, lambda: tf.repeat(image[..., :1], 3, axis=-1), lambda: image[..., :3])
    return tf.ensure_shape(image, [None, None, 3])
