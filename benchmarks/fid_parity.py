r"""Is ganzoo's FID the papers' FID? Parity of the network, the resizes and the metric formulas.

    python benchmarks/fid_parity.py [--images=4] [--size=128] [--seed=0]

The real 2015-12-05 weights cannot be downloaded here, so the network is checked with random
weights: ganzoo writes a random state dict in pytorch-fid's layout (``torch.save``), pytorch-fid's
own ``InceptionV3`` loads it (strictly: every key and shape must match), torch-fidelity's
``FeatureExtractorInceptionV3`` loads it, and ganzoo's Keras port loads it. If the architecture
and the resize agree with random weights, they agree with the real ones. On the same uint8
photographs (scikit-image's, cropped to ``--size``) it reports the maximum absolute difference of

    features_clean        ganzoo fid_inception(resize="clean") vs clean-fid's "clean" resize
                          (PIL bicubic) feeding pytorch-fid's network, pool3 features
    features_legacy_tf    ganzoo fid_inception(resize="legacy_tf") vs torch-fidelity end to end
                          (its TF1 bilinear resize and normalization inside), pool3 features
    probabilities         ganzoo's IS head vs softmax of torch-fidelity's "logits_unbiased"
    resize_clean          ganzoo.metrics.resize.resize_clean vs clean-fid's make_resizer, pixels
    resize_legacy_tf      resize_legacy_tf vs torch-fidelity's TF1-compatible bilinear, pixels

and, on fixed random feature arrays, the relative errors of ganzoo's FID, KID (whole-set and
per-subset unbiased MMD²), Inception Score (10 splits) and precision/recall against
torch-fidelity's functions. Needs the ``parity`` extra (torch 2.13.0 CPU, torchvision,
pytorch-fid, torch-fidelity, clean-fid). Prints a table, then one JSON line.

PyPI's torchvision is built against the CUDA torch and its C++ operators do not load beside the
CPU torch 2.13.0; its pure-Python models (all pytorch-fid needs) do. ``import_references``
declares the two operator schemas torchvision's start-up registers fake kernels for (nms, qnms)
when they are missing, so that ``import torchvision`` succeeds; no torchvision operator is used.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

FEATURE_TOLERANCE = 1e-4  # the bound on pool3 features
_TORCHVISION_OPS: list[Any] = []  # keeps the schema library alive


def import_references() -> types.SimpleNamespace:
    """torch, pytorch-fid's inception module, torch-fidelity and clean-fid's resize module."""
    import torch
    import torch.library

    try:
        import torchvision  # noqa: F401
    except RuntimeError as error:
        if "torchvision::" not in str(error):
            raise
        for name in list(sys.modules):
            if name == "torchvision" or name.startswith("torchvision."):
                del sys.modules[name]
        lib = torch.library.Library("torchvision", "FRAGMENT")
        for op in ("nms", "qnms"):
            if not _has_op(torch, op):
                lib.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        _TORCHVISION_OPS.append(lib)
    import torchvision  # noqa: F401
    import cleanfid.resize
    import pytorch_fid.inception
    import torch_fidelity
    import torch_fidelity.feature_extractor_inceptionv3
    import torch_fidelity.interpolate_compat_tensorflow
    import torch_fidelity.metric_fid
    import torch_fidelity.metric_isc
    import torch_fidelity.metric_kid
    import torch_fidelity.metric_prc

    return types.SimpleNamespace(torch=torch, pytorch_fid=pytorch_fid.inception, fidelity=torch_fidelity,
                                 cleanfid_resize=cleanfid.resize)


def _has_op(torch, name: str) -> bool:
    try:
        getattr(torch.ops.torchvision, name)
        return True
    except (AttributeError, RuntimeError):
        return False


def random_state_dict(torch, seed: int = 0) -> "collections.OrderedDict[str, Any]":
    """Random weights in pytorch-fid's layout (keys and shapes from ganzoo's
    ``state_dict_shapes``): He-normal convolutions and random batch-norm scales, shifts and
    running statistics, so every layer's arithmetic shows in the features."""
    from ganzoo.metrics.fid_inception import state_dict_shapes

    rng = np.random.default_rng(seed)
    state = collections.OrderedDict()
    for key, shape in state_dict_shapes().items():
        if key.endswith("conv.weight"):
            value = rng.standard_normal(shape, np.float32) * np.float32(np.sqrt(2.0 / np.prod(shape[1:])))
        elif key.endswith(("bn.weight", "bn.running_var")):
            value = rng.uniform(0.5, 1.5, shape)
        elif key.endswith(("bn.bias", "bn.running_mean")):
            value = rng.normal(0.0, 0.2, shape)
        else:  # fc
            value = rng.standard_normal(shape, np.float32) * np.float32(0.05)
        state[key] = torch.from_numpy(np.asarray(value, np.float32))
    return state


def pytorch_fid_network(refs, path: str):
    """pytorch-fid's ``InceptionV3`` (pool3 block) with the weights at ``path`` in place of its
    download, no resize or normalization inside (the caller feeds (x − 128) / 128 at 299²)."""
    module = refs.pytorch_fid
    original = module.load_state_dict_from_url
    module.load_state_dict_from_url = lambda *a, **k: refs.torch.load(path, weights_only=True)
    try:
        net = module.InceptionV3([3], resize_input=False, normalize_input=False)
    finally:
        module.load_state_dict_from_url = original
    return net.eval()


def test_images(count: int = 4, size: int = 128) -> np.ndarray:
    """``[count, size, size, 3]`` uint8 crops of scikit-image's bundled photographs."""
    from skimage import data as skdata

    photos = [skdata.astronaut(), skdata.coffee(), skdata.chelsea(), skdata.rocket()]
    out = []
    for i in range(count):
        photo = photos[i % len(photos)]
        top = (37 * i) % (photo.shape[0] - size)
        left = (53 * i) % (photo.shape[1] - size)
        out.append(photo[top:top + size, left:left + size, :3])
    return np.stack(out).astype(np.uint8)


def feature_parity(refs, images: np.ndarray, weights_path: str) -> dict[str, float]:
    """Max |ganzoo − reference| of pool3 features, IS probabilities and resized pixels."""
    from ganzoo.metrics import fid_inception, resize

    torch = refs.torch
    floats = images.astype(np.float32) / 127.5 - 1.0
    out: dict[str, float] = {}

    # clean: clean-fid's resize → (x − 128) / 128 → pytorch-fid's network.
    clean_resizer = refs.cleanfid_resize.make_resizer("PIL", False, "bicubic", (299, 299))
    ref_pixels = np.stack([clean_resizer(img) for img in images])
    out["resize_clean_max_abs_diff"] = float(np.abs(resize.resize_clean(images) - ref_pixels).max())
    net = pytorch_fid_network(refs, weights_path)
    with torch.no_grad():
        x = torch.from_numpy(((ref_pixels - 128.0) / 128.0).transpose(0, 3, 1, 2).copy())
        ref_clean = net(x)[0].reshape(len(images), -1).numpy()
    ours = fid_inception.FIDInception(weights_path, resize="clean")
    got_clean = ours(floats)
    out["features_clean_max_abs_diff"] = float(np.abs(got_clean - ref_clean).max())
    out["feature_scale"] = float(np.abs(ref_clean).max())

    # legacy_tf: torch-fidelity end to end on uint8 (its TF1 bilinear resize inside).
    fe = refs.fidelity.feature_extractor_inceptionv3.FeatureExtractorInceptionV3(
        "inception-v3-compat", ["2048", "logits_unbiased"], feature_extractor_weights_path=weights_path)
    with torch.no_grad():
        ref_feat, ref_logits = fe(torch.from_numpy(images.transpose(0, 3, 1, 2).copy()))
    ours_tf = ours.with_resize("legacy_tf")
    got_tf = ours_tf(floats)
    out["features_legacy_tf_max_abs_diff"] = float(np.abs(got_tf - ref_feat.numpy()).max())
    ref_probs = torch.softmax(ref_logits.double(), dim=1).numpy()
    out["probabilities_max_abs_diff"] = float(np.abs(ours_tf.probabilities(floats) - ref_probs).max())
    interp = refs.fidelity.interpolate_compat_tensorflow.interpolate_bilinear_2d_like_tensorflow1x
    with torch.no_grad():
        ref_tf_pixels = interp(torch.from_numpy(images.transpose(0, 3, 1, 2).astype(np.float32)),
                               size=(299, 299), align_corners=False).numpy().transpose(0, 2, 3, 1)
    out["resize_legacy_tf_max_abs_diff"] = float(np.abs(resize.resize_legacy_tf(images) - ref_tf_pixels).max())
    return out


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-12)


def metric_parity(refs, seed: int = 0) -> dict[str, float]:
    """Relative errors of ganzoo's FID, KID, IS and precision/recall against torch-fidelity's
    functions, on fixed random feature arrays (two shifted Gaussians, 64-d; 1008 logits)."""
    from ganzoo import metrics

    torch, tf_ = refs.torch, refs.fidelity
    rng = np.random.default_rng(seed)
    real = rng.normal(0.0, 1.0, [300, 64])
    fake = rng.normal(0.3, 1.2, [250, 64]) + 0.2 * real[:250]
    out: dict[str, float] = {}

    stats = [tf_.metric_fid.fid_features_to_statistics(torch.from_numpy(f)) for f in (real, fake)]
    ref_fid = tf_.metric_fid.fid_statistics_to_metric(stats[0], stats[1], verbose=False)["frechet_inception_distance"]
    ours = [metrics.FeatureStatistics(extractor="x").update(f) for f in (real, fake)]
    out["fid_rel_err"] = _rel(metrics.fid_from_statistics(ours[0], ours[1]), ref_fid)

    kid_args = dict(kid_subsets=5, kid_subset_size=250, kid_kernel="poly", kid_kernel_poly_degree=3,
                    kid_kernel_poly_gamma=None, kid_kernel_poly_coef0=1, rng_seed=seed, verbose=False)
    ref_kid = tf_.metric_kid.kid_features_to_metric(torch.from_numpy(real[:250]), torch.from_numpy(fake), **kid_args)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # whole-set subsets: ganzoo warns that the std is void
            got_kid, _ = metrics.kid_from_features(real[:250], fake, subset_size=250, num_subsets=5)
    out["kid_rel_err"] = _rel(got_kid, ref_kid["kernel_inception_distance_mean"])
    errors = []
    for s in range(5):  # per-subset unbiased MMD² on the same random subsets
        i, j = rng.choice(300, 100, replace=False), rng.choice(250, 100, replace=False)
        ref = tf_.metric_kid.kernel_mmd(real[i], fake[j], **kid_args)
        errors.append(_rel(metrics.mmd2_unbiased(real[i], fake[j]), ref))
    out["kid_subset_rel_err"] = float(max(errors))

    logits = rng.normal(0.0, 3.0, [500, 1008])
    ref_is = tf_.metric_isc.isc_features_to_metric(torch.from_numpy(logits), splits=10, shuffle=False)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    got_is, got_is_std = metrics.inception_score_from_probs(probs, splits=10)
    out["is_rel_err"] = _rel(got_is, ref_is["inception_score_mean"])
    out["is_std_rel_err"] = _rel(got_is_std, ref_is["inception_score_std"])

    # torch-fidelity's convention: features_1 generated, features_2 real.
    ref_pr = tf_.metric_prc.prc_features_to_metric(
        torch.from_numpy(fake).float(), torch.from_numpy(real).float(), prc_neighborhood=3,
        prc_batch_size=10000, save_cpu_ram=False, verbose=False)
    p, r = metrics.precision_recall_from_features(real.astype(np.float32), fake.astype(np.float32), k=3)
    out["precision_abs_diff"] = abs(p - ref_pr["precision"])
    out["recall_abs_diff"] = abs(r - ref_pr["recall"])
    out["precision"], out["recall"] = p, r
    return out


def run(num_images: int = 4, size: int = 128, seed: int = 0) -> dict[str, float]:
    refs = import_references()
    refs.torch.manual_seed(seed)
    images = test_images(num_images, size)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "random_fid_inception.pth")
        refs.torch.save(random_state_dict(refs.torch, seed), path)
        result = feature_parity(refs, images, path)
    result.update(metric_parity(refs, seed))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=4, help="photographs fed through both networks")
    parser.add_argument("--size", type=int, default=128, help="side of the square crops (resized to 299)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = run(args.images, args.size, args.seed)
    result["seconds"] = round(time.perf_counter() - start, 1)
    rows = [
        ("pool3 features, clean resize vs clean-fid + pytorch-fid", "features_clean_max_abs_diff", FEATURE_TOLERANCE),
        ("pool3 features, legacy TF resize vs torch-fidelity", "features_legacy_tf_max_abs_diff", FEATURE_TOLERANCE),
        ("IS probabilities vs torch-fidelity softmax(logits_unbiased)", "probabilities_max_abs_diff", 1e-4),
        ("resize clean vs clean-fid (pixels 0..255)", "resize_clean_max_abs_diff", 1e-3),
        ("resize legacy_tf vs torch-fidelity (pixels 0..255)", "resize_legacy_tf_max_abs_diff", 1e-3),
        ("FID relative error vs torch-fidelity", "fid_rel_err", 1e-6),
        ("KID (whole-set subsets) relative error", "kid_rel_err", 1e-6),
        ("KID per-subset MMD² relative error", "kid_subset_rel_err", 1e-6),
        ("IS mean relative error (10 splits)", "is_rel_err", 1e-3),
        ("IS std relative error", "is_std_rel_err", 1e-3),
        ("precision |difference|", "precision_abs_diff", 1e-6),
        ("recall |difference|", "recall_abs_diff", 1e-6),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'check':<{width}}  {'measured':>10}  {'bound':>7}  ok")
    ok = True
    for label, key, bound in rows:
        passed = result[key] <= bound
        ok &= passed
        print(f"{label:<{width}}  {result[key]:>10.3g}  {bound:>7.0e}  {'yes' if passed else 'NO'}")
    print(f"(pool3 features up to {result['feature_scale']:.3g} in magnitude; {args.images} images of "
          f"{args.size}x{args.size}; {result['seconds']} s)")
    result["all_within_bounds"] = bool(ok)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
