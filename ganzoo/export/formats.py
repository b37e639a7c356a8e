"""ONNX and LiteRT exports: each model's serving graph, converted and checked in its own runtime.

A SavedModel (``ganzoo.export.save_generator``) carries everything a model serves, strings
and checks included. ONNX and LiteRT files carry the part of it that those formats can
hold, picked per model by :func:`portable_graphs`:

==============================  ==========================================================
model                           graph in the ``.onnx`` / ``.tflite`` file
==============================  ==========================================================
functional generator (DCGAN,    the generator's own inputs (``z``; ``labels`` when it has
WGAN, vanilla/PacGAN, frontal.) them; frontalization: ``images``, ``landmarks``) -> its
                                last output (``images``, ``samples`` for 2-D points,
                                ``generated`` where an input is called ``images``)
LAPGAN                          ``z`` (every level's noise side by side) -> ``images``:
                                the whole coarse-to-fine chain
text-to-image                   ``token_ids`` int64 ``[None, max_length]`` and ``z`` ->
                                ``images``; raw strings cannot go in, so the vectorizer
                                stays outside (its vocabulary is written beside the file)
SRGAN / SRResNet                ``lr_images`` ``[None, None, None, 3]`` in [0, 1] ->
                                ``hr_images`` in [0, 1], the whole image at once (the
                                SavedModel's tiling and size limit stay outside)
CycleGAN                        ``model`` = A -> B and ``b_to_a`` = B -> A, ``images`` of any
                                size in [-1, 1] -> ``translated`` (same size)
==============================  ==========================================================

Conversion uses the converters Keras 3's ``model.export(format="onnx" | "litert")`` calls —
``tf2onnx.convert.from_function`` and ``tf.lite.TFLiteConverter`` (from a SavedModel of the
graph) — on these graphs, so the inputs and outputs keep their names. No converter is written here.
:func:`verify` runs a file in its own runtime (onnxruntime; ``ai_edge_litert``'s interpreter,
or TensorFlow's) on the inputs :func:`example_inputs` draws and returns the largest absolute
difference from the Keras model on the same inputs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from typing import Any, Callable

import numpy as np
import tensorflow as tf

from ganzoo.errors import GanzooError

FORMATS = ("onnx", "litert")
SUFFIX = {"onnx": ".onnx", "litert": ".tflite"}
MANIFEST_FILE = "export.json"        # ganzoo.export.PORTABLE_FILES lists these two
VOCABULARY_FILE = "vocabulary.json"
ONNX_OPSET = 17
TOLERANCE = 1e-4  # max abs difference from Keras accepted for a float32 export


class UnsupportedFormat(GanzooError):
    """A model whose graph a format cannot hold (the message names the op and the alternative)."""


@dataclasses.dataclass(frozen=True)
class PortableGraph:
    """One graph an ONNX / LiteRT export holds.

    Attributes:
        name: the file's stem (``model`` for the main graph).
        function: tensors (in ``input_signature``'s order) -> ``{output name: tensor}``.
        input_signature: named ``tf.TensorSpec`` s; ``None`` dims stay dynamic in the file.
        example_shapes: a concrete shape for each input without its batch dim, used by
            :func:`example_inputs` where the signature has ``None`` (image sizes).
        value_ranges: ``{input name: (low, high)}`` for uniform example inputs; inputs not
            named here are standard normal (float), one-hot rows (float ``labels [n, classes]``)
            or ids in ``[0, high)`` (int).
        note: one line saying what the file leaves out, or ``""``.
        networks: the Keras networks ``function`` uses (their variables go into the file).
        litert_static: LiteRT gets ``example_shapes``' sizes in place of ``None`` dims (but the
            batch), for graphs whose convolutions LiteRT cannot plan on unknown sizes.
    """

    name: str
    function: Callable[..., dict[str, tf.Tensor]]
    input_signature: list[tf.TensorSpec]
    example_shapes: dict[str, tuple[int, ...]]
    value_ranges: dict[str, tuple[float, float]]
    note: str = ""
    networks: tuple = ()
    litert_static: bool = False

    def static_signature(self) -> list[tf.TensorSpec]:
        """``input_signature`` with every dim but the batch fixed to ``example_shapes``."""
        return [tf.TensorSpec([None, *self.example_shapes[s.name]], s.dtype, name=s.name)
                for s in self.input_signature]

    def input_names(self) -> list[str]:
        return [spec.name for spec in self.input_signature]


def _spec(tensor: Any, name: str | None = None) -> tf.TensorSpec:
    return tf.TensorSpec(tuple(tensor.shape), tf.as_dtype(tensor.dtype), name=name or tensor.name)


def _concrete_shape(spec: tf.TensorSpec) -> tuple[int, ...]:
    return tuple(int(d) for d in spec.shape[1:])


def _generator_graph(model: Any) -> PortableGraph:
    """A functional generator's own inputs -> its last output (``images`` or ``samples``)."""
    generator = model.generator
    if not getattr(generator, "inputs", None):
        raise GanzooError(
            f"ganzoo.export: {type(model).__name__}'s generator is not a functional keras.Model, so its "
            "inputs are unknown; export format='saved_model' instead."
        )
    specs = [_spec(t) for t in generator.inputs]
    output = generator.outputs[-1]
    key = "images" if len(output.shape) == 4 else "samples"
    if key in {s.name for s in specs}:  # an output may not share an input's name (frontalization)
        key = "generated"
    ranges: dict[str, tuple[float, float]] = {}
    for spec in specs:
        if spec.dtype.is_integer:
            ranges[spec.name] = (0, max(1, int(getattr(model, "num_classes", 0) or 1)))
        elif len(spec.shape) == 4:
            ranges[spec.name] = (-1.0, 1.0)
        elif spec.name == "landmarks":  # pixel positions, around a face's centre
            size = float(specs[0].shape[1])
            ranges[spec.name] = (0.35 * size, 0.7 * size)

    def run(*inputs):
        outputs = generator(list(inputs) if len(inputs) > 1 else inputs[0], training=False)
        if isinstance(outputs, (list, tuple)):
            outputs = outputs[-1]
        return {key: tf.cast(outputs, tf.float32)}

    return PortableGraph("model", run, specs, {s.name: _concrete_shape(s) for s in specs}, ranges)


def _lapgan_graph(model: Any) -> PortableGraph:
    sampler, classes = model.generator, int(getattr(model, "num_classes", 0) or 0)
    specs = [tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")]
    if classes:
        specs.append(tf.TensorSpec([None], tf.int32, name="labels"))

    def run(z, labels=None):
        return {"images": tf.cast(sampler.chain(z, labels)[0][-1], tf.float32)}

    return PortableGraph("model", run, specs, {"z": (model.latent_dim,), "labels": ()},
                         {"labels": (0, classes)} if classes else {})


def _text_to_image_graph(model: Any) -> PortableGraph:
    generator, encoder = model.generator, model.text_encoder
    ids = encoder.inputs[0]
    specs = [tf.TensorSpec([None, ids.shape[1]], tf.as_dtype(ids.dtype), name="token_ids"),
             tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")]

    def run(token_ids, z):
        embedding = encoder(token_ids, training=False)
        return {"images": tf.cast(generator([z, embedding], training=False), tf.float32)}

    vocabulary = len(model.vectorizer.get_vocabulary())
    return PortableGraph(
        "model", run, specs, {"token_ids": (int(ids.shape[1]),), "z": (model.latent_dim,)},
        {"token_ids": (0, vocabulary)},
        note=f"takes token ids, not raw strings (no string ops in this format): map a caption with "
             f"{VOCABULARY_FILE} (0 = padding, 1 = unknown) or use the SavedModel",
    )


def _super_resolution_graph(model: Any) -> PortableGraph:
    spec = tf.TensorSpec([None, None, None, 3], tf.float32, name="lr_images")
    size = tuple(int(d) // int(model.scale) for d in model.hr_shape[:2])

    def run(lr_images):
        return {"hr_images": model.unit_output(lr_images)}  # with self_ensemble, its 8 views

    return PortableGraph(
        "model", run, [spec], {"lr_images": (*size, 3)}, {"lr_images": (0.0, 1.0)},
        note=f"runs the whole image at once: the SavedModel's tiling and its max_pixels={model.max_pixels} "
             "check stay outside, so memory grows with the image",
    )


def _cyclegan_graphs(model: Any) -> list[PortableGraph]:
    channels = int(model.image_shape[2])
    spec = tf.TensorSpec([None, None, None, channels], tf.float32, name="images")
    graphs = []
    def direction(network):
        return lambda images: {"translated": model.translate(network, images)}

    for name, network in (("model", model.generator), ("b_to_a", model.generator_ba)):
        run = direction(network)
        graphs.append(PortableGraph(
            name, run, [spec], {"images": tuple(int(d) for d in model.image_shape)}, {"images": (-1.0, 1.0)},
            litert_static=True))
    return graphs


def portable_graphs(model: Any) -> list[PortableGraph]:
    """The graphs an ONNX / LiteRT export of ``model`` holds (see the module docstring).

    Chosen by what the model exposes (ganzoo.export never imports model classes):
    ``generator_ba`` (CycleGAN), ``unit_generator`` (SRGAN), ``text_encoder`` (text-to-image),
    a generator with ``chain`` (LAPGAN), else the functional generator itself.
    """
    if hasattr(model, "generator_ba") and hasattr(model, "translate"):
        graphs = _cyclegan_graphs(model)
    elif hasattr(model, "unit_generator"):
        graphs = [_super_resolution_graph(model)]
    elif hasattr(model, "text_encoder") and hasattr(model, "vectorizer"):
        graphs = [_text_to_image_graph(model)]
    elif hasattr(model.generator, "chain"):
        graphs = [_lapgan_graph(model)]
    else:
        graphs = [_generator_graph(model)]
    networks = tuple(model.serving_networks())
    return [dataclasses.replace(graph, networks=networks) for graph in graphs]


def example_inputs(graph: PortableGraph, batch: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded inputs for ``graph``: ``{name: array [batch, ...]}`` in each input's range."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for spec in graph.input_signature:
        shape = (batch, *graph.example_shapes[spec.name])
        low, high = graph.value_ranges.get(spec.name, (None, None))
        if spec.dtype.is_integer:
            inputs[spec.name] = rng.integers(0, max(1, int(high or 1)), size=shape).astype(spec.dtype.as_numpy_dtype)
        elif spec.name == "labels" and len(shape) == 2:  # one-hot classes (ConditionalDCGAN's G)
            inputs[spec.name] = np.eye(shape[1], dtype=np.float32)[rng.integers(0, shape[1], size=batch)]
        elif low is None:
            inputs[spec.name] = rng.standard_normal(shape).astype(np.float32)
        else:
            inputs[spec.name] = rng.uniform(low, high, size=shape).astype(np.float32)
    return inputs


def run_keras(graph: PortableGraph, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The Keras model's answer: ``graph.function`` run by TensorFlow on ``inputs``."""
    outputs = graph.function(*[tf.constant(inputs[name]) for name in graph.input_names()])
    return {key: np.asarray(value) for key, value in outputs.items()}


# ------------------------------------------------------------------------- writing


def write_onnx(graph: PortableGraph, path: str) -> None:
    """Converts ``graph`` with tf2onnx (opset ``ONNX_OPSET``) to ``path``."""
    try:
        import tf2onnx
    except ImportError as error:
        raise GanzooError("ganzoo.export: format='onnx' needs tf2onnx: pip install \"ganzoo[export]\".") from error
    function = tf.function(graph.function, input_signature=graph.input_signature, autograph=False)
    tf2onnx.convert.from_function(function, input_signature=graph.input_signature, opset=ONNX_OPSET,
                                  output_path=path)


def write_litert(graph: PortableGraph, path: str) -> None:
    """Converts ``graph`` with TensorFlow's LiteRT (TFLite) converter, float32 builtin ops, to ``path``.

    The graph goes through a temporary SavedModel (``keras.export.ExportArchive``) so the file
    keeps one named signature, ``serving_default``. A graph with an op LiteRT has no builtin
    kernel for (bicubic resizing, crop-and-resize) is refused: a Select-TF-ops file needs
    TensorFlow's kernels linked into the interpreter, which neither ``ai_edge_litert`` nor
    TensorFlow 2.21's ``tf.lite.Interpreter`` carries, so it could not be checked here.
    """
    import tempfile

    import keras

    archive = keras.export.ExportArchive()
    for network in graph.networks:
        archive.track(network)
    signature = graph.static_signature() if graph.litert_static else graph.input_signature
    archive.add_endpoint("serving_default", graph.function, input_signature=signature)
    with tempfile.TemporaryDirectory() as folder:
        archive.write_out(folder, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(folder, signature_keys=["serving_default"])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        try:
            content = converter.convert()
        except Exception as error:  # tf.lite's ConverterError: an op outside LiteRT's builtins
            message = str(error)
            missing = sorted(set(re.findall(r"'tf\.(\w+)' op is neither a custom op nor a flex op", message)
                                 + re.findall(r"\btf\.(\w+)\(", message.split("TF Select ops:")[-1])))
            if not missing:
                raise
            raise UnsupportedFormat(
                f"ganzoo.export: this model cannot go to LiteRT: its graph uses TensorFlow's "
                f"{', '.join(missing)}, which LiteRT has no builtin kernel for; export format='onnx' "
                "or 'saved_model' instead."
            ) from None
    with open(path, "wb") as handle:
        handle.write(content)


# ------------------------------------------------------------------------ runtimes


class OnnxRunner:
    """``runner(inputs) -> {output name: array}`` for an ``.onnx`` file in onnxruntime (CPU)."""

    def __init__(self, path: str):
        try:
            import onnxruntime
        except ImportError as error:
            raise GanzooError("ganzoo.export: checking an ONNX file needs onnxruntime: "
                              "pip install \"ganzoo[export]\".") from error
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.output_names = [o.name for o in self.session.get_outputs()]

    def __call__(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return dict(zip(self.output_names, self.session.run(None, inputs)))


def litert_interpreter(path: str):
    """The LiteRT interpreter for ``path``: ``ai_edge_litert``'s, else TensorFlow's ``tf.lite``."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        Interpreter = tf.lite.Interpreter
    return Interpreter(model_path=path)


class LiteRTRunner:
    """``runner(inputs) -> {output name: array}`` for a ``.tflite`` file, through its one signature
    (dynamic dims are resized to each call's inputs)."""

    def __init__(self, path: str):
        self.interpreter = litert_interpreter(path)
        self.runner = self.interpreter.get_signature_runner("serving_default")

    def __call__(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {key: np.asarray(value) for key, value in self.runner(**inputs).items()}


def runner(path: str) -> Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """``OnnxRunner`` or ``LiteRTRunner`` for ``path``, by its suffix."""
    return OnnxRunner(path) if path.endswith(".onnx") else LiteRTRunner(path)


def verify(graph: PortableGraph, path: str, batch: int = 4, seed: int = 0) -> float:
    """Runs the file at ``path`` in its own runtime and returns its max abs difference from Keras.

    Both run ``example_inputs(graph, batch, seed)``; outputs are matched by name.
    """
    inputs = example_inputs(graph, batch, seed)
    expected = run_keras(graph, inputs)
    got = runner(path)(inputs)
    if set(got) != set(expected):
        raise GanzooError(f"ganzoo.export: {path} answers {sorted(got)}, expected {sorted(expected)}.")
    return max(float(np.max(np.abs(got[k].astype(np.float64) - expected[k]))) for k in expected)


def latency(call: Callable[[], Any], repeats: int = 5) -> float:
    """Median seconds of ``call()`` over ``repeats`` runs after one warm-up run."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def vocabulary_record(model: Any) -> dict[str, Any]:
    """A text-to-image model's tokenizer, for clients of a file that takes token ids."""
    config = model.vectorizer.get_config()
    return {
        "vocabulary": [str(word) for word in model.vectorizer.get_vocabulary()],
        "standardize": config.get("standardize"),
        "split": config.get("split"),
        "output_sequence_length": config.get("output_sequence_length"),
        "padding_id": 0,
        "unknown_id": 1,
    }


def write(model: Any, directory: str, file_format: str, check: bool = True) -> dict[str, Any]:
    """Writes ``model``'s portable graphs as ``directory/<name>.onnx`` (or ``.tflite``) and a manifest.

    Args:
        model: a ganzoo ``GAN``.
        directory: an existing, empty folder.
        file_format: ``"onnx"`` or ``"litert"``.
        check: run each file in its runtime against Keras; a difference above ``TOLERANCE``
            raises (the files stay, for inspection).

    Returns:
        The manifest (also written to ``directory/export.json``): per file its inputs,
        outputs, note, size in bytes and max abs difference from Keras.
    """
    if file_format not in FORMATS:
        raise GanzooError(f"ganzoo.export: unknown format '{file_format}'; use saved_model, onnx or litert.")
    writer = write_onnx if file_format == "onnx" else write_litert
    files = []
    for graph in portable_graphs(model):
        path = os.path.join(directory, graph.name + SUFFIX[file_format])
        writer(graph, path)
        static = file_format == "litert" and graph.litert_static
        signature = graph.static_signature() if static else graph.input_signature
        note = graph.note or (
            "takes " + " and ".join("×".join(map(str, graph.example_shapes[s.name])) + f" {s.name}"
                                    for s in signature) + " only (LiteRT plans this graph's convolutions "
            "on fixed sizes; ONNX and the SavedModel take any size)" if static else "")
        record: dict[str, Any] = {
            "file": os.path.basename(path),
            "inputs": {s.name: {"shape": [None if d is None else int(d) for d in s.shape], "dtype": s.dtype.name}
                       for s in signature},
            "outputs": sorted(run_keras(graph, example_inputs(graph, 1)).keys()),
            "bytes": os.path.getsize(path),
            "note": note,
        }
        if check:
            record["max_abs_diff"] = verify(graph, path)
        files.append(record)
    manifest = {"format": file_format, "model_class": type(model).__name__, "files": files,
                "tolerance": TOLERANCE}
    if hasattr(model, "text_encoder") and hasattr(model, "vectorizer"):
        with open(os.path.join(directory, VOCABULARY_FILE), "w") as handle:
            json.dump(vocabulary_record(model), handle, indent=1)
    with open(os.path.join(directory, MANIFEST_FILE), "w") as handle:
        json.dump(manifest, handle, indent=1)
    worst = max((f.get("max_abs_diff", 0.0) for f in files), default=0.0)
    if worst > TOLERANCE:
        raise GanzooError(
            f"ganzoo.export: the {file_format} file differs from the Keras model by {worst:.2e} "
            f"(more than {TOLERANCE:g}); the files in '{directory}' are kept for inspection."
        )
    return manifest


__all__ = [
    "FORMATS", "UnsupportedFormat", "MANIFEST_FILE", "VOCABULARY_FILE", "TOLERANCE", "PortableGraph", "portable_graphs",
    "example_inputs", "run_keras", "write", "write_onnx", "write_litert", "verify", "OnnxRunner",
    "LiteRTRunner", "litert_interpreter", "runner", "latency", "vocabulary_record",
]
