"""The FID Inception network ("2015-12-05") in Keras, loading pytorch-fid's weight file.

Heusel, Ramsauer, Unterthiner, Nessler, Hochreiter 2017, "GANs Trained by a Two Time-Scale
Update Rule Converge to a Local Nash Equilibrium" (TTUR, arXiv 1706.08500) defined FID on the
2048-d pool3 features of the TensorFlow Inception graph ``inception-2015-12-05``. Every
comparable FID since (TTUR, pytorch-fid, clean-fid, torch-fidelity, StyleGAN's metrics) uses that
graph; Keras' ``InceptionV3`` ImageNet weights are a different network. pytorch-fid ported the
graph to PyTorch as torchvision's ``Inception3`` with three patched blocks (``FIDInceptionA``,
``FIDInceptionC``, ``FIDInceptionE_1``/``_2``) and published its weights as
``pt_inception-2015-12-05-6726825d.pth``. This module builds the same network in Keras:

    stem        Conv2d_1a_3x3 (32, 3×3 /2) · 2a (32, 3×3) · 2b (64, 3×3 same) · max 3×3 /2 ·
                3b (80, 1×1) · 4a (192, 3×3) · max 3×3 /2                       [N, 35, 35, 192]
    Mixed_5b-d  InceptionA ×3; its pool branch is a 3×3 average pool that does not count the
                zero padding (TF's SAME average; pytorch-fid's count_include_pad=False)
    Mixed_6a    InceptionB (grid reduction, max pool)                           [N, 17, 17, 768]
    Mixed_6b-e  InceptionC ×4 (factorized 7×7), the same padding-free average pool
    Mixed_7a    InceptionD (grid reduction, max pool)                           [N, 8, 8, 1280]
    Mixed_7b    InceptionE with the padding-free average pool                   [N, 8, 8, 2048]
    Mixed_7c    InceptionE with a 3×3 **max** pool in its pool branch (the 2015 graph's quirk,
                kept by pytorch-fid's FIDInceptionE_2)
    pool3       global average pool                                             [N, 2048]
    fc          1008 ImageNet-2012 classes (+ 8 unused); Inception Score uses softmax(pool3 · Wᵀ)
                without the bias, as the original IS code and torch-fidelity do

Every convolution is conv (no bias) → batch norm (ε = 0.001) → ReLU, as in the graph.

Input pipeline (``FIDInception.__call__``), as the published protocols feed the graph: images in
[-1, 1] → pixel values x·127.5 + 127.5, rounded to uint8 (as when samples are saved as PNG;
``quantize=False`` keeps floats) → resize to 299×299 (``resize="clean"``: clean-fid's PIL
bicubic; ``"legacy_tf"``: the TF1 bilinear inside the graph; see ``ganzoo.metrics.resize``) →
(x − 128) / 128, the graph's own normalization (pytorch-fid's 2x − 1 on [0, 1] differs by 0.4%).

Parity (BUILD_NOTES.md, "FID parity (issue 25)"; tests/metrics/test_fid_parity.py): with random
weights saved as a pytorch-fid state dict, pool3 features of this port and of pytorch-fid's and
torch-fidelity's networks agree within 1e-4 on the same images.
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
from typing import Any

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.metrics.pth import read_state_dict
from ganzoo.metrics.resize import check_images, get_resize

FID_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
FID_WEIGHTS_URL = "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/" + FID_WEIGHTS_FILE
FID_WEIGHTS_ENV = "GANZOO_FID_WEIGHTS"
INPUT_SIZE = 299
NUM_CLASSES = 1008
BN_EPSILON = 1e-3


# --------------------------------------------------------------------------- network


def _conv_bn(x, filters: int, kernel, name: str, strides: int = 1, padding: str = "valid"):
    """pytorch-fid's BasicConv2d: conv without bias, batch norm (ε = 0.001), ReLU. ``name`` is the
    PyTorch module path with "." written "__" (Keras names take no dots)."""
    import keras

    x = keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False,
                            name=f"{name}__conv")(x)
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}__bn")(x)
    return keras.layers.ReLU(name=f"{name}__relu")(x)


def _avg_pool_same(x, name: str):
    # TF's SAME average pool divides by the number of real pixels under the window (the graph's
    # behaviour; pytorch-fid's count_include_pad=False).
    import keras

    return keras.layers.AveragePooling2D(3, strides=1, padding="same", name=name)(x)


def _concat(branches, name: str):
    import keras

    return keras.layers.Concatenate(axis=-1, name=name)(branches)


def _inception_a(x, pool_features: int, name: str):
    b1 = _conv_bn(x, 64, 1, f"{name}__branch1x1")
    b5 = _conv_bn(x, 48, 1, f"{name}__branch5x5_1")
    b5 = _conv_bn(b5, 64, 5, f"{name}__branch5x5_2", padding="same")
    b3 = _conv_bn(x, 64, 1, f"{name}__branch3x3dbl_1")
    b3 = _conv_bn(b3, 96, 3, f"{name}__branch3x3dbl_2", padding="same")
    b3 = _conv_bn(b3, 96, 3, f"{name}__branch3x3dbl_3", padding="same")
    bp = _avg_pool_same(x, f"{name}__avg_pool")
    bp = _conv_bn(bp, pool_features, 1, f"{name}__branch_pool")
    return _concat([b1, b5, b3, bp], name)


def _inception_b(x, name: str):
    import keras

    b3 = _conv_bn(x, 384, 3, f"{name}__branch3x3", strides=2)
    bd = _conv_bn(x, 64, 1, f"{name}__branch3x3dbl_1")
    bd = _conv_bn(bd, 96, 3, f"{name}__branch3x3dbl_2", padding="same")
    bd = _conv_bn(bd, 96, 3, f"{name}__branch3x3dbl_3", strides=2)
    bp = keras.layers.MaxPooling2D(3, strides=2, name=f"{name}__max_pool")(x)
    return _concat([b3, bd, bp], name)


def _inception_c(x, channels_7x7: int, name: str):
    c7 = channels_7x7
    b1 = _conv_bn(x, 192, 1, f"{name}__branch1x1")
    b7 = _conv_bn(x, c7, 1, f"{name}__branch7x7_1")
    b7 = _conv_bn(b7, c7, (1, 7), f"{name}__branch7x7_2", padding="same")
    b7 = _conv_bn(b7, 192, (7, 1), f"{name}__branch7x7_3", padding="same")
    bd = _conv_bn(x, c7, 1, f"{name}__branch7x7dbl_1")
    bd = _conv_bn(bd, c7, (7, 1), f"{name}__branch7x7dbl_2", padding="same")
    bd = _conv_bn(bd, c7, (1, 7), f"{name}__branch7x7dbl_3", padding="same")
    bd = _conv_bn(bd, c7, (7, 1), f"{name}__branch7x7dbl_4", padding="same")
    bd = _conv_bn(bd, 192, (1, 7), f"{name}__branch7x7dbl_5", padding="same")
    bp = _avg_pool_same(x, f"{name}__avg_pool")
    bp = _conv_bn(bp, 192, 1, f"{name}__branch_pool")
    return _concat([b1, b7, bd, bp], name)


def _inception_d(x, name: str):
    import keras

    b3 = _conv_bn(x, 192, 1, f"{name}__branch3x3_1")
    b3 = _conv_bn(b3, 320, 3, f"{name}__branch3x3_2", strides=2)
    b7 = _conv_bn(x, 192, 1, f"{name}__branch7x7x3_1")
    b7 = _conv_bn(b7, 192, (1, 7), f"{name}__branch7x7x3_2", padding="same")
    b7 = _conv_bn(b7, 192, (7, 1), f"{name}__branch7x7x3_3", padding="same")
    b7 = _conv_bn(b7, 192, 3, f"{name}__branch7x7x3_4", strides=2)
    bp = keras.layers.MaxPooling2D(3, strides=2, name=f"{name}__max_pool")(x)
    return _concat([b3, b7, bp], name)


def _inception_e(x, name: str, pool: str):
    import keras

    b1 = _conv_bn(x, 320, 1, f"{name}__branch1x1")
    b3 = _conv_bn(x, 384, 1, f"{name}__branch3x3_1")
    b3 = _concat([_conv_bn(b3, 384, (1, 3), f"{name}__branch3x3_2a", padding="same"),
                  _conv_bn(b3, 384, (3, 1), f"{name}__branch3x3_2b", padding="same")], f"{name}__3x3")
    bd = _conv_bn(x, 448, 1, f"{name}__branch3x3dbl_1")
    bd = _conv_bn(bd, 384, 3, f"{name}__branch3x3dbl_2", padding="same")
    bd = _concat([_conv_bn(bd, 384, (1, 3), f"{name}__branch3x3dbl_3a", padding="same"),
                  _conv_bn(bd, 384, (3, 1), f"{name}__branch3x3dbl_3b", padding="same")], f"{name}__3x3dbl")
    if pool == "max":  # Mixed_7c: the 2015 graph max-pools here (pytorch-fid's FIDInceptionE_2)
        bp = keras.layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}__max_pool")(x)
    else:
        bp = _avg_pool_same(x, f"{name}__avg_pool")
    bp = _conv_bn(bp, 192, 1, f"{name}__branch_pool")
    return _concat([b1, b3, bd, bp], name)


def build_fid_inception(input_size: int | None = INPUT_SIZE):
    """The 2015-12-05 Inception up to pool3, randomly initialized (load weights with
    ``load_fid_weights``).

    Args:
        input_size: square input side (299 for FID); ``None`` accepts any size ≥ 75.

    Returns:
        A functional ``keras.Model`` named ``fid_inception``: ``[N, S, S, 3]`` images already
        normalized to the graph's (x − 128) / 128 scale → ``[N, 2048]`` pool3 features.
    """
    import keras

    inputs = keras.Input((input_size, input_size, 3), name="images")
    x = _conv_bn(inputs, 32, 3, "Conv2d_1a_3x3", strides=2)
    x = _conv_bn(x, 32, 3, "Conv2d_2a_3x3")
    x = _conv_bn(x, 64, 3, "Conv2d_2b_3x3", padding="same")
    x = keras.layers.MaxPooling2D(3, strides=2, name="MaxPool_1")(x)
    x = _conv_bn(x, 80, 1, "Conv2d_3b_1x1")
    x = _conv_bn(x, 192, 3, "Conv2d_4a_3x3")
    x = keras.layers.MaxPooling2D(3, strides=2, name="MaxPool_2")(x)
    x = _inception_a(x, 32, "Mixed_5b")
    x = _inception_a(x, 64, "Mixed_5c")
    x = _inception_a(x, 64, "Mixed_5d")
    x = _inception_b(x, "Mixed_6a")
    x = _inception_c(x, 128, "Mixed_6b")
    x = _inception_c(x, 160, "Mixed_6c")
    x = _inception_c(x, 160, "Mixed_6d")
    x = _inception_c(x, 192, "Mixed_6e")
    x = _inception_d(x, "Mixed_7a")
    x = _inception_e(x, "Mixed_7b", pool="avg")
    x = _inception_e(x, "Mixed_7c", pool="max")
    pool3 = keras.layers.GlobalAveragePooling2D(name="pool3")(x)
    return keras.Model(inputs, pool3, name="fid_inception")


# --------------------------------------------------------------------------- weights


def _torch_prefix(layer_name: str) -> str:
    return layer_name.rsplit("__", 1)[0].replace("__", ".")


def state_dict_shapes(model: Any = None) -> dict[str, tuple[int, ...]]:
    """The PyTorch state-dict layout the weight file must have: ``{key: shape}`` in pytorch-fid's
    order and names (``Conv2d_1a_3x3.conv.weight`` ``[32, 3, 3, 3]`` (out, in, kh, kw), its
    ``.bn.weight/.bias/.running_mean/.running_var``, ..., ``fc.weight`` ``[1008, 2048]``,
    ``fc.bias``). BatchNorm's ``num_batches_tracked`` counters are not needed."""
    import keras

    model = model if model is not None else build_fid_inception()
    shapes: dict[str, tuple[int, ...]] = collections.OrderedDict()
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            shapes[_torch_prefix(layer.name) + ".conv.weight"] = (cout, cin, kh, kw)
        elif isinstance(layer, keras.layers.BatchNormalization):
            prefix = _torch_prefix(layer.name) + ".bn."
            for part in ("weight", "bias", "running_mean", "running_var"):
                shapes[prefix + part] = (layer.gamma.shape[0],)
    shapes["fc.weight"] = (NUM_CLASSES, 2048)
    shapes["fc.bias"] = (NUM_CLASSES,)
    return shapes


_FIRST_AND_LAST = {"Conv2d_1a_3x3.conv.weight": (32, 3, 3, 3), "fc.weight": (NUM_CLASSES, 2048)}


def _check_state_dict(state: dict[str, np.ndarray], shapes: dict[str, tuple[int, ...]], path: str,
                      partial: bool = False, keys: set[str] | None = None) -> None:
    """Refuses a state dict whose keys or shapes differ from ``shapes`` (with ``partial``, only
    the keys in ``shapes`` are looked at)."""
    keys = {k for k in (keys if keys is not None else state) if not k.endswith("num_batches_tracked")}
    missing = [k for k in shapes if k not in keys]
    unexpected = [] if partial else sorted(keys - set(shapes))
    wrong = [f"{k} {tuple(state[k].shape)} (expected {shapes[k]})" for k in shapes
             if k in state and tuple(state[k].shape) != shapes[k]]
    if missing or unexpected or wrong:
        detail = "; ".join(part for part in (
            f"missing {len(missing)} keys, e.g. {missing[:3]}" if missing else "",
            f"unexpected {len(unexpected)} keys, e.g. {unexpected[:3]}" if unexpected else "",
            f"wrong shapes: {wrong[:3]}" if wrong else "") if part)
        raise GanzooError(
            f"ganzoo.metrics: '{path}' is not the FID Inception's state dict ({detail}); use "
            f"pytorch-fid's {FID_WEIGHTS_FILE} (download it once from {FID_WEIGHTS_URL})."
        )


def load_fid_weights(model: Any, state: dict[str, np.ndarray], path: str = "<state dict>") -> np.ndarray:
    """Copies a pytorch-fid state dict (``{key: array}``, PyTorch layouts) into ``model`` (from
    ``build_fid_inception``); returns the ``fc.weight`` ``[1008, 2048]`` (the IS head)."""
    import keras

    _check_state_dict(state, state_dict_shapes(model), path)
    for layer in model.layers:
        prefix = _torch_prefix(layer.name)
        if isinstance(layer, keras.layers.Conv2D):
            # PyTorch (out, in, kh, kw) → Keras (kh, kw, in, out).
            layer.set_weights([np.transpose(state[prefix + ".conv.weight"], (2, 3, 1, 0))])
        elif isinstance(layer, keras.layers.BatchNormalization):
            layer.set_weights([state[prefix + ".bn." + p] for p in ("weight", "bias", "running_mean", "running_var")])
    return np.asarray(state["fc.weight"], np.float32)


def file_sha256(path: str, chunk: int = 1 << 22) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _resolve_weights(weights: str | os.PathLike | None) -> str:
    path = weights if weights is not None else os.environ.get(FID_WEIGHTS_ENV)
    how = (f"download {FID_WEIGHTS_FILE} once from {FID_WEIGHTS_URL} and pass --fid_weights=PATH "
           f"(or weights=PATH, or set ${FID_WEIGHTS_ENV}); ganzoo never downloads it")
    if not path:
        raise GanzooError(f"ganzoo.metrics: fid_inception needs its weights file: {how}.")
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, FID_WEIGHTS_FILE)
    if not os.path.isfile(path):
        raise GanzooError(f"ganzoo.metrics: FID Inception weights file '{path}' does not exist; {how}.")
    return path


def _check_published_hash(path: str, sha256: str) -> None:
    # torch.hub's convention: "<name>-<first hex digits of the SHA-256>.pth".
    match = re.search(r"-([0-9a-f]{8,64})\.pth?$", os.path.basename(path))
    if match and not sha256.startswith(match.group(1)):
        raise GanzooError(
            f"ganzoo.metrics: '{path}' has SHA-256 {sha256[:12]}…, not the {match.group(1)}… its name "
            f"promises (an incomplete or altered download); download {FID_WEIGHTS_FILE} again from "
            f"{FID_WEIGHTS_URL}."
        )


# --------------------------------------------------------------------------- extractor


class FIDInception:
    """The standard FID feature extractor: the 2015-12-05 Inception's pool3 (2048-d).

    A ``ganzoo.metrics`` extractor (a callable with a ``name``; it does not subclass
    ``FeatureExtractor`` so that ``extractors.get_extractor`` can import this module).

    Args:
        weights: pytorch-fid's ``pt_inception-2015-12-05-6726825d.pth`` (or torch-fidelity's
            file of the same network, or a directory holding the former); defaults to
            ``$GANZOO_FID_WEIGHTS``. Read without PyTorch (``ganzoo.metrics.pth``).
        resize: ``"clean"`` (clean-fid, default) or ``"legacy_tf"`` (TTUR / torch-fidelity).
        quantize: round images to uint8 pixel values first, as when samples are saved as PNG
            (what the published protocols measure); False feeds the float values.
        batch_size: images per network call.

    ``extractor(images)`` maps ``[N, H, W, C]`` float images in [-1, 1] (C = 1 or 3) to
    ``[N, 2048]`` float32 features; ``probabilities(images)`` gives ``[N, 1008]`` softmax
    outputs for the Inception Score. ``name`` (``fid_inception/<resize>/<sha256[:12]>``) keys
    cached reference statistics; ``protocol`` is the dictionary every result records.
    """

    def __init__(self, weights: str | os.PathLike | None = None, *, resize: str = "clean",
                 quantize: bool = True, batch_size: int = 32) -> None:
        import tensorflow as tf

        self.resize_fn = get_resize(resize)
        self.resize = resize
        self.quantize = bool(quantize)
        self.batch_size = int(batch_size)
        self.weights_path = _resolve_weights(weights)
        self.weights_sha256 = file_sha256(self.weights_path)
        _check_published_hash(self.weights_path, self.weights_sha256)
        state = read_state_dict(self.weights_path)
        # A quick look at the first and last layers refuses another network before building this one.
        _check_state_dict({k: state[k] for k in _FIRST_AND_LAST if k in state}, _FIRST_AND_LAST, self.weights_path,
                          partial=True, keys=set(state))
        self.model = build_fid_inception()
        self.fc_weight = load_fid_weights(self.model, state, self.weights_path)
        self.name = f"fid_inception/{resize}/{self.weights_sha256[:12]}" + ("" if self.quantize else "/float")
        self._forward = tf.function(lambda x: self.model(x, training=False), reduce_retracing=True)

    def with_resize(self, resize: str) -> "FIDInception":
        """The same network and weights (shared, not reloaded) under another resize mode."""
        import copy

        other = copy.copy(self)
        other.resize_fn = get_resize(resize)
        other.resize = resize
        other.name = self.name.replace(f"fid_inception/{self.resize}/", f"fid_inception/{resize}/", 1)
        return other

    @property
    def protocol(self) -> dict[str, Any]:
        """How features were computed: what a published FID must match to be comparable."""
        return {
            "extractor": "fid_inception",
            "network": "inception-2015-12-05 pool3 (pytorch-fid FIDInceptionA/C/E port)",
            "weights_file": os.path.basename(self.weights_path),
            "weights_sha256": self.weights_sha256,
            "resize": self.resize,
            "image_size_fed": [INPUT_SIZE, INPUT_SIZE],
            "input_dtype": ("uint8: [-1, 1] floats rounded to 0..255 before resizing" if self.quantize
                            else "float32: [-1, 1] floats scaled to [0, 255], not rounded"),
            "normalization": "(x - 128) / 128",
            "jpeg": "none: ganzoo never JPEG-encodes; real images are decoded as their source stores them",
        }

    def pixels(self, images: Any) -> np.ndarray:
        """``[N, H, W, C]`` images in [-1, 1] → ``[N, H, W, 3]`` float32 pixel values in [0, 255]."""
        x = np.asarray(images, np.float32)
        check_images(x, self.name)
        if x.shape[-1] not in (1, 3):
            raise GanzooError(f"ganzoo.metrics: extractor '{self.name}' takes 1 or 3 channels, got {x.shape[-1]}.")
        if x.shape[-1] == 1:
            x = np.repeat(x, 3, axis=-1)
        x = np.clip(x * 127.5 + 127.5, 0.0, 255.0)
        return np.round(x) if self.quantize else x

    def features_of_pixels(self, pixels: Any) -> np.ndarray:
        """pool3 features of ``[N, H, W, 3]`` pixel values in [0, 255] (resized here)."""
        out = []
        for i in range(0, len(pixels), self.batch_size):
            x = self.resize_fn(pixels[i:i + self.batch_size], (INPUT_SIZE, INPUT_SIZE))
            x = (x - 128.0) / 128.0
            out.append(np.asarray(self._forward(x), np.float32))
        return np.concatenate(out) if out else np.zeros([0, 2048], np.float32)

    def __call__(self, images: Any) -> np.ndarray:
        return self.features_of_pixels(self.pixels(images))

    def __repr__(self) -> str:
        return f"FIDInception(name={self.name!r})"

    def probabilities(self, images: Any) -> np.ndarray:
        """``[N, 1008]`` softmax(pool3 · Wᵀ) without the fc bias (the original IS code)."""
        logits = self(images).astype(np.float64) @ self.fc_weight.T.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)

