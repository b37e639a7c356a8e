"""``synthfaces``: posed faces ganzoo renders itself, with frontal ground truth, for frontalization.

Each identity is a parametric 3-D head: a star-shaped surface r(θ, φ) around the head centre
(an ellipsoid of the identity's width, height and depth, plus Gaussian bumps for the nose,
brow, cheekbones, chin, ears and eye sockets) with a texture defined on the same angles (skin
and hair tone, hairline, eyes with iris colour, eyebrows, mouth, an optional beard and a
mole), with small left/right asymmetries. A head is rendered in numpy by splatting a dense
point grid with a z-buffer (2× supersampled, then averaged) under orthographic projection and
Lambertian lighting from a direction fixed in the camera frame, at yaw −90° … +90° in 15° steps.

An example is one (identity, lighting variant, yaw): the rendered pose, the frontal (yaw 0°)
render of the same head under the same light, five 2-D landmarks of the pose and the identity.
Splits are by identity: ``test`` holds every identity whose index is 4 mod 5, ``train`` the
rest (``all``: both). Everything is deterministic in ``seed``; renders are cached as uint8 under
``$GANZOO_CACHE_DIR/synthfaces`` (default ``~/.cache/ganzoo``), one file per split rendered (a
split is read from an ``all`` file when there is one); first render of the default
500 identities × 2 lights × 13 yaws at 64×64 takes about a minute on one core (BUILD_NOTES.md).

Two renderer versions (``version=``, config ``data.version``; 1 is the default and the shipped
presets' data, unchanged pixel for pixel). In version 1 identities differ mostly in skin and hair
tone, so a colour histogram recognises many profiles. Version 2 (issue 27) draws identities whose
geometry varies more (head shape with crown and jaw, eye spacing, height, size and aspect, nose,
mouth, ears' size and height, hairline with a widow's peak) from a narrow tone range, and gives
every variant (variant 0 included) its own light direction and intensity and its own camera
colour (exposure, white balance: :func:`camera`), applied to the head; the backdrop stays
``BACKGROUND``. The split rule and the elements are the same; version 2's cache files are named
``renderer2-…`` and never replace version 1's.

Elements: ``(pose, {"landmarks", "frontal", "identity", "yaw"})`` — the model's input image
first, so a dataset's first element spec gives the image shape — with

    pose       float32 [H, W, 3] in [-1, 1]
    landmarks  float32 [5, 2], (x, y) pixel coordinates in the pose image, in the order
               ``LANDMARKS``: left eye, right eye, nose tip, left and right mouth corner
               (the subject's left/right as seen in a frontal image: "left" is image-left)
    frontal    float32 [H, W, 3] in [-1, 1], the ground truth
    identity   int32, the identity index (global: test identities keep their own numbers)
    yaw        int32 degrees; positive turns the face towards image-right
"""

from __future__ import annotations

import dataclasses
import hashlib
import os

import numpy as np
import tensorflow as tf

from ganzoo.data.registry import Source, register, set_channels
from ganzoo.errors import GanzooError

YAWS = tuple(range(-90, 91, 15))
LANDMARKS = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
SPLITS = ("train", "test", "all")
CACHE_VERSION = 1
VERSIONS = (1, 2)
BACKGROUND = np.array([0.22, 0.24, 0.27])
# Head units to pixels: the head (radius ~1) spans about 72% of the image width.
_SCALE = 0.33
_SUPERSAMPLE = 2


@dataclasses.dataclass(frozen=True)
class Head:
    """One identity's shape and texture parameters (angles in radians, lengths in head units)."""

    width: float
    height: float
    depth: float
    eye_spacing: float
    eye_y: float
    eye_asym: float
    eye_size: float
    iris: tuple
    brow_height: float
    brow_tilt: float
    brow_thickness: float
    nose_length: float
    nose_protrusion: float
    nose_width: float
    nose_y: float
    mouth_y: float
    mouth_width: float
    mouth_height: float
    lip: tuple
    skin: tuple
    hair: tuple
    hairline: float
    hair_side: float
    chin: float
    cheek: float
    ears: float
    beard: float
    mole: tuple
    # Version 2's extra geometry; the defaults are version 1's fixed values (its renders are unchanged).
    eye_aspect: float = 1.0
    ear_y: float = -0.02
    ear_height: float = 0.16
    jaw: float = 0.0
    crown: float = 0.0
    hair_peak: float = 0.0


def head_parameters(identity: int, seed: int = 0, version: int = 1) -> Head:
    """The deterministic parameters of ``identity`` for ``seed`` under renderer ``version`` (1 or 2)."""
    if int(version) == 2:
        return head_parameters_v2(identity, seed)
    rng = np.random.default_rng([int(seed), int(identity), 7])
    u = rng.uniform
    skin_light = u(0.3, 0.9)
    skin = np.array([0.95, 0.72, 0.58]) * skin_light + np.array([0.05, 0.02, 0.0])
    skin = skin * np.array([1.0, u(0.92, 1.05), u(0.9, 1.08)])
    hair_light = u(0.05, 0.85) ** 1.5
    hair = np.array([0.35, 0.25, 0.15]) * (0.2 + 2.2 * hair_light) * np.array([1.0, u(0.85, 1.1), u(0.7, 1.2)])
    if rng.uniform() < 0.1:  # grey
        hair = np.full(3, u(0.55, 0.8))
    iris = np.array([0.2, 0.35, 0.6]) * u(0.3, 1.2) if rng.uniform() < 0.35 else np.array([0.3, 0.2, 0.1]) * u(0.5, 1.2)
    lip = skin * np.array([1.05, 0.62, 0.62]) * u(0.7, 0.95)
    mole = (u(-0.6, 0.6), u(-0.5, 0.1), u(0.02, 0.04)) if rng.uniform() < 0.4 else (0.0, 0.0, 0.0)
    return Head(
        width=u(0.8, 1.0), height=u(1.08, 1.28), depth=u(0.95, 1.12),
        eye_spacing=u(0.28, 0.46), eye_y=u(0.02, 0.16), eye_asym=u(-0.03, 0.03),
        eye_size=u(0.8, 1.25), iris=tuple(np.clip(iris, 0, 1)),
        brow_height=u(0.12, 0.22), brow_tilt=u(-0.25, 0.25), brow_thickness=u(0.025, 0.06),
        nose_length=u(0.1, 0.22), nose_protrusion=u(0.12, 0.32), nose_width=u(0.07, 0.13),
        nose_y=u(-0.22, -0.1), mouth_y=u(-0.5, -0.36), mouth_width=u(0.16, 0.3),
        mouth_height=u(0.025, 0.06), lip=tuple(np.clip(lip, 0, 1)),
        skin=tuple(np.clip(skin, 0, 1)), hair=tuple(np.clip(hair, 0, 1)),
        hairline=u(0.3, 0.62), hair_side=u(0.0, 0.35), chin=u(0.0, 0.14), cheek=u(0.0, 0.08),
        ears=u(0.08, 0.18), beard=float(rng.uniform() < 0.2) * u(0.5, 1.0), mole=mole,
    )


def head_parameters_v2(identity: int, seed: int = 0) -> Head:
    """Version 2's identity: the geometry varies widely, the tone within a narrow range.

    Skin lightness spans 0.6–0.67 (version 1: 0.3–0.9) and hair is one of a few browns, so
    that a tone barely separates identities once the per-variant camera (:func:`camera`) has
    shifted it; head shape (width, height, depth, crown, jaw), eyes (spacing, height, size,
    aspect), nose, mouth, ears (size, height, length), chin, cheeks and hairline (height,
    temples, widow's peak) carry the identity.
    """
    rng = np.random.default_rng([int(seed), int(identity), 7, 2])
    u = rng.uniform
    skin = np.array([0.95, 0.72, 0.58]) * u(0.6, 0.67) + np.array([0.05, 0.02, 0.0])
    skin = skin * np.array([1.0, u(0.99, 1.01), u(0.985, 1.015)])
    hair = np.array([0.35, 0.25, 0.15]) * u(0.55, 0.68) * np.array([1.0, u(0.97, 1.03), u(0.95, 1.05)])
    iris = np.array([0.3, 0.2, 0.1]) * u(0.5, 1.0)
    lip = skin * np.array([1.05, 0.62, 0.62]) * u(0.8, 0.9)
    mole = (u(-0.6, 0.6), u(-0.5, 0.1), u(0.02, 0.04)) if rng.uniform() < 0.3 else (0.0, 0.0, 0.0)
    return Head(
        width=u(0.72, 1.02), height=u(1.02, 1.34), depth=u(0.9, 1.16),
        eye_spacing=u(0.24, 0.5), eye_y=u(0.0, 0.2), eye_asym=u(-0.03, 0.03),
        eye_size=u(0.7, 1.4), iris=tuple(np.clip(iris, 0, 1)),
        brow_height=u(0.1, 0.24), brow_tilt=u(-0.35, 0.35), brow_thickness=u(0.02, 0.07),
        nose_length=u(0.08, 0.26), nose_protrusion=u(0.08, 0.38), nose_width=u(0.06, 0.16),
        nose_y=u(-0.24, -0.08), mouth_y=u(-0.54, -0.34), mouth_width=u(0.13, 0.34),
        mouth_height=u(0.02, 0.07), lip=tuple(np.clip(lip, 0, 1)),
        skin=tuple(np.clip(skin, 0, 1)), hair=tuple(np.clip(hair, 0, 1)),
        hairline=u(0.22, 0.7), hair_side=u(0.0, 0.5), chin=u(0.0, 0.18), cheek=u(0.0, 0.1),
        ears=u(0.05, 0.22), beard=float(rng.uniform() < 0.15) * u(0.5, 1.0), mole=mole,
        eye_aspect=u(0.7, 1.3), ear_y=u(-0.12, 0.08), ear_height=u(0.11, 0.22),
        jaw=u(0.0, 0.14), crown=u(-0.08, 0.12), hair_peak=u(0.0, 0.12) * (rng.uniform() < 0.5),
    )


def lighting(identity: int, variant: int, seed: int = 0, version: int = 1) -> tuple[np.ndarray, float, float]:
    """(unit light direction in the camera frame, diffuse, ambient) of a lighting variant.

    Version 1: variant 0 is the canonical light (front, slightly above); others are random.
    Version 2: every variant is random, from a wider range of directions and intensities.
    """
    if int(version) == 2:
        rng = np.random.default_rng([int(seed), int(identity), int(variant), 11, 2])
        azimuth, elevation = rng.uniform(-0.9, 0.9), rng.uniform(-0.15, 0.8)
        diffuse, ambient = rng.uniform(0.4, 0.85), rng.uniform(0.2, 0.45)
    elif variant == 0:
        azimuth, elevation, diffuse, ambient = 0.0, 0.35, 0.7, 0.35
    else:
        rng = np.random.default_rng([int(seed), int(identity), int(variant), 11])
        azimuth, elevation = rng.uniform(-0.6, 0.6), rng.uniform(0.1, 0.7)
        diffuse, ambient = rng.uniform(0.55, 0.8), rng.uniform(0.28, 0.42)
    direction = np.array([np.sin(azimuth) * np.cos(elevation), np.sin(elevation), np.cos(azimuth) * np.cos(elevation)])
    return direction, diffuse, ambient


def camera(identity: int, variant: int, seed: int = 0) -> np.ndarray:
    """Version 2's camera colour of a variant: per-channel gains ``[3]`` (exposure × white balance).

    Exposure is a factor in [0.7, 1.35]; the white balance scales red and blue against green by
    exp(±0.18) (warm to cool). Applied to the head, not the backdrop, which stays ``BACKGROUND``.
    """
    rng = np.random.default_rng([int(seed), int(identity), int(variant), 13, 2])
    exposure = np.exp(rng.uniform(np.log(0.7), np.log(1.35)))
    warmth, tint = rng.uniform(-0.18, 0.18), rng.uniform(-0.06, 0.06)
    return exposure * np.exp(np.array([warmth + tint, -tint, -warmth + tint]))


def _gauss(theta, phi, t0, p0, st, sp):
    return np.exp(-0.5 * (((theta - t0) / st) ** 2 + ((phi - p0) / sp) ** 2))


def _radius(h: Head, theta, phi):
    """r(θ, φ): the ellipsoid plus the facial relief."""
    dx, dy, dz = np.cos(phi) * np.sin(theta), np.sin(phi), np.cos(phi) * np.cos(theta)
    r = 1.0 / np.sqrt((dx / h.width) ** 2 + (dy / h.height) ** 2 + (dz / h.depth) ** 2)
    nose_top = h.nose_y + h.nose_length
    # The nose: a ridge from the brow down to a tip, strongest at the tip.
    along = np.clip((nose_top - phi) / max(h.nose_length, 1e-3), 0.0, 1.2)
    ridge = along**1.5 * np.exp(-0.5 * (theta / h.nose_width) ** 2) * np.exp(-0.5 * ((phi - h.nose_y) / 0.05) ** 2 * (phi < h.nose_y))
    r = r + h.nose_protrusion * ridge * (phi > h.nose_y - 0.12) * (phi < nose_top + 0.05)
    r = r + 0.05 * _gauss(theta, phi, 0.0, h.eye_y + h.brow_height - 0.03, 0.5, 0.05)
    for side in (-1.0, 1.0):
        r = r - 0.045 * _gauss(theta, phi, side * h.eye_spacing, h.eye_y, 0.1, 0.06)
        r = r + h.cheek * _gauss(theta, phi, side * 0.55, -0.12, 0.18, 0.12)
        r = r + h.ears * _gauss(theta, phi, side * np.pi / 2, h.ear_y, 0.07, h.ear_height)
        if h.jaw:  # a narrower, V-shaped lower face
            r = r - h.jaw * _gauss(theta, phi, side * 0.95, -0.62, 0.35, 0.22)
    if h.crown:  # a higher (or flatter) top of the head
        r = r + h.crown * _gauss(theta, phi, 0.0, 1.25, 3.0, 0.35)
    r = r + h.chin * _gauss(theta, phi, 0.0, -0.72, 0.3, 0.12)
    r = r + 0.03 * _gauss(theta, phi, 0.0, h.mouth_y, h.mouth_width, 0.06)
    return r


def _texture(h: Head, theta, phi):
    """Albedo [..., 3] on the (θ, φ) grid."""
    color = np.broadcast_to(np.asarray(h.skin), theta.shape + (3,)).copy()

    def paint(mask, rgb, alpha=1.0):
        m = (np.clip(mask, 0.0, 1.0) * alpha)[..., None]
        color[:] = color * (1 - m) + np.asarray(rgb) * m

    at = np.abs(theta)
    if h.beard:
        jaw = (phi < h.mouth_y + 0.08) & (at < 1.3) & (phi > -1.2)
        around_mouth = _gauss(theta, phi, 0.0, h.mouth_y, h.mouth_width * 1.2, h.mouth_height * 2.5) > 0.5
        paint(jaw & ~around_mouth, h.hair, 0.85 * h.beard)
    # Hair: above a hairline that falls from the forehead towards the back of the head.
    line = h.hairline - (0.55 + h.hair_side) * (at / np.pi) ** 1.3
    line = np.where(at > 1.2, np.minimum(line, -0.35 - 0.2 * (at - 1.2)), line)
    if h.hair_peak:  # a widow's peak
        line = line - h.hair_peak * np.exp(-0.5 * (theta / 0.12) ** 2)
    paint(1.0 / (1.0 + np.exp(-(phi - line) / 0.02)), h.hair)
    for side, lift in ((-1.0, -h.eye_asym), (1.0, h.eye_asym)):
        ex, ey = side * h.eye_spacing, h.eye_y + lift
        paint(_gauss(theta, phi, ex, ey, 0.085 * h.eye_size, 0.035 * h.eye_size * h.eye_aspect) > 0.45, (0.93, 0.92, 0.9))
        paint(_gauss(theta, phi, ex, ey, 0.034 * h.eye_size, 0.034 * h.eye_size) > 0.45, h.iris)
        paint(_gauss(theta, phi, ex, ey, 0.013 * h.eye_size, 0.013 * h.eye_size) > 0.45, (0.03, 0.03, 0.03))
        brow_y = ey + h.brow_height + side * h.brow_tilt * (theta - ex) * 0.5
        brow = (np.abs(phi - brow_y) < h.brow_thickness / 2) & (np.abs(theta - ex) < 0.13)
        paint(brow, np.asarray(h.hair) * 0.8, 0.95)
    mouth = ((theta / h.mouth_width) ** 2 + ((phi - h.mouth_y) / h.mouth_height) ** 2) < 1.0
    paint(mouth, h.lip)
    paint(np.abs(phi - h.mouth_y) < 0.006, np.asarray(h.lip) * 0.5, 0.8 * (at < h.mouth_width))
    for side in (-1.0, 1.0):  # nostrils
        paint(_gauss(theta, phi, side * 0.035, h.nose_y - 0.02, 0.015, 0.01) > 0.5, np.asarray(h.skin) * 0.45)
    if h.mole[2]:
        paint(_gauss(theta, phi, h.mole[0], h.mole[1], h.mole[2], h.mole[2]) > 0.5, (0.25, 0.15, 0.1))
    return color


@dataclasses.dataclass
class _Mesh:
    points: np.ndarray   # [n, 3]
    normals: np.ndarray  # [n, 3]
    albedo: np.ndarray   # [n, 3]


def build_head(h: Head, image_size: int) -> _Mesh:
    """The head's surface as a dense point grid (≥ 1 point per supersampled pixel)."""
    # Point spacing below one render pixel on the widest circle (radius 1.4 head units): no holes.
    pixels_per_unit = _SCALE * image_size * _SUPERSAMPLE
    n_theta = int(np.ceil(2 * np.pi * 1.4 * pixels_per_unit * 1.15))
    n_phi = int(np.ceil(2.85 * 1.4 * pixels_per_unit * 1.15))
    theta = np.linspace(-np.pi, np.pi, n_theta, endpoint=False)
    phi = np.linspace(-1.25, np.pi / 2 - 0.02, n_phi)
    theta, phi = np.meshgrid(theta, phi, indexing="ij")
    r = _radius(h, theta, phi)
    d = np.stack([np.cos(phi) * np.sin(theta), np.sin(phi), np.cos(phi) * np.cos(theta)], -1)
    p = r[..., None] * d
    dt = np.roll(p, -1, 0) - np.roll(p, 1, 0)
    dp = np.gradient(p, axis=1)
    n = np.cross(dp, dt)
    n /= np.linalg.norm(n, axis=-1, keepdims=True) + 1e-9
    n *= np.sign(np.sum(n * p, -1, keepdims=True))
    return _Mesh(p.reshape(-1, 3), n.reshape(-1, 3), _texture(h, theta, phi).reshape(-1, 3))


def _project(points: np.ndarray, size: int) -> np.ndarray:
    """Head coordinates (already rotated) -> (x, y) pixel coordinates of a ``size`` image."""
    scale = _SCALE * size
    return np.stack([size / 2 + scale * points[..., 0], size / 2 - scale * points[..., 1] + 0.04 * size], -1)


def landmarks_3d(h: Head) -> np.ndarray:
    """The five landmarks on the surface, ``[5, 3]`` head coordinates, in ``LANDMARKS`` order."""
    angles = [
        (-h.eye_spacing, h.eye_y - h.eye_asym),
        (h.eye_spacing, h.eye_y + h.eye_asym),
        (0.0, h.nose_y),
        (-h.mouth_width, h.mouth_y),
        (h.mouth_width, h.mouth_y),
    ]
    theta, phi = np.array(angles).T
    r = _radius(h, theta, phi)
    return r[:, None] * np.stack([np.cos(phi) * np.sin(theta), np.sin(phi), np.cos(phi) * np.cos(theta)], -1)


def _rotate(points: np.ndarray, yaw_degrees: float) -> np.ndarray:
    """Rotation about the vertical axis, element-wise (a BLAS matmul on [n, 3] stalls on a busy machine)."""
    a = np.deg2rad(yaw_degrees)
    c, s = np.cos(a), np.sin(a)
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    return np.stack([c * x + s * z, y, c * z - s * x], -1)


def render(mesh: _Mesh, yaw: float, light: tuple[np.ndarray, float, float], size: int,
           gains: np.ndarray | None = None) -> np.ndarray:
    """One view: float32 ``[size, size, 3]`` in [0, 1]; ``gains`` ``[3]`` colour the head (:func:`camera`)."""
    big = size * _SUPERSAMPLE
    normals = _rotate(mesh.normals, yaw)
    front = normals[:, 2] > -0.05  # back faces are hidden anyway; culling halves the sort
    points = _rotate(mesh.points[front], yaw)
    xy = np.floor(_project(points, big)).astype(np.int64)
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < big) & (xy[:, 1] >= 0) & (xy[:, 1] < big)
    xy, depth, normals = xy[inside], points[inside, 2], normals[front][inside]
    direction, diffuse, ambient = light
    lambert = normals[:, 0] * direction[0] + normals[:, 1] * direction[1] + normals[:, 2] * direction[2]
    shade = ambient + diffuse * np.clip(lambert, 0.0, 1.0)
    color = mesh.albedo[front][inside] * shade[:, None]
    if gains is not None:
        color = color * np.asarray(gains)
    pixel = xy[:, 1] * big + xy[:, 0]
    # One float sort: the pixel index, plus a fraction that is smallest for the nearest point.
    order = np.argsort(pixel + (2.0 - depth) / 4.01, kind="stable")
    sorted_pixel = pixel[order]
    first = np.flatnonzero(np.r_[True, sorted_pixel[1:] != sorted_pixel[:-1]])
    image = np.tile(BACKGROUND, (big * big, 1))
    image[sorted_pixel[first]] = color[order[first]]
    image = image.reshape(size, _SUPERSAMPLE, size, _SUPERSAMPLE, 3).mean((1, 3))
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def render_identity(identity: int, image_size: int = 64, variants: int = 2, seed: int = 0, yaws=YAWS,
                    version: int = 1):
    """All views of one identity: uint8 ``[variants, len(yaws), H, W, 3]`` and landmarks ``[len(yaws), 5, 2]``.

    ``version`` 2 draws the head from :func:`head_parameters_v2` and gives every variant its own
    light and :func:`camera` colour.
    """
    h = head_parameters(identity, seed, version)
    mesh = build_head(h, image_size)
    marks = landmarks_3d(h)
    images = np.zeros((variants, len(yaws), image_size, image_size, 3), np.uint8)
    for v in range(variants):
        light = lighting(identity, v, seed, version)
        gains = camera(identity, v, seed) if int(version) == 2 else None
        for j, yaw in enumerate(yaws):
            images[v, j] = np.round(render(mesh, yaw, light, image_size, gains) * 255.0)
    points = np.stack([_project(_rotate(marks, yaw), image_size) for yaw in yaws]).astype(np.float32)
    # A landmark that projects past the frame (version 2's larger heads: the nose tip at ±90°, up to
    # 0.84 px beyond the last pixel) is kept on the frame's edge, inside [0, size - 1].
    return images, np.clip(points, 0.0, image_size - 1.0)


def split_identities(split: str, num_identities: int) -> np.ndarray:
    if split not in SPLITS:
        raise GanzooError(f"ganzoo.data: synthfaces has splits {', '.join(SPLITS)}, not '{split}'.")
    ids = np.arange(num_identities)
    if split == "train":
        return ids[ids % 5 != 4]
    if split == "test":
        return ids[ids % 5 == 4]
    return ids


def _cache_path(cache_dir, image_size, num_identities, variants, seed, version=1, split="all") -> str:
    root = cache_dir or os.environ.get("GANZOO_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "ganzoo")
    key = f"v{CACHE_VERSION}-{image_size}-{num_identities}-{variants}-{seed}"
    if int(version) != 1:  # version 1 keeps its file names; the others never share them
        key = f"renderer{int(version)}-{key}"
    if split != "all":
        key = f"{key}-{split}"
    digest = hashlib.sha1(open(__file__, "rb").read()).hexdigest()[:8]  # re-render when the renderer changes
    return os.path.join(root, "synthfaces", f"{key}-{digest}.npz")


def renders(image_size: int = 64, num_identities: int = 500, variants: int = 2, seed: int = 0,
            cache_dir: str | None = None, cache: bool = True, version: int = 1,
            split: str = "all") -> tuple[np.ndarray, np.ndarray]:
    """The views of one split's identities (``split_identities``; ``all``: every identity):
    uint8 ``[n, variants, 13, H, W, 3]`` and landmarks ``[n, 13, 5, 2]``, cached.

    A split is read from the whole set's cache file when that exists; otherwise only its own
    identities are rendered (the test split is a fifth of the work) and cached on their own.
    Each identity's render depends on its number and ``seed`` alone, so both ways give the
    same pixels."""
    ids = split_identities(split, int(num_identities))
    whole = _cache_path(cache_dir, image_size, num_identities, variants, seed, version)
    path = _cache_path(cache_dir, image_size, num_identities, variants, seed, version, split)
    if cache:
        for stored_path, rows in ((whole, slice(None) if split == "all" else ids), (path, slice(None))):
            if os.path.exists(stored_path):
                with np.load(stored_path) as stored:
                    return stored["images"][rows], stored["landmarks"][rows]
    images = np.zeros((len(ids), variants, len(YAWS), image_size, image_size, 3), np.uint8)
    points = np.zeros((len(ids), len(YAWS), 5, 2), np.float32)
    for row, identity in enumerate(ids):
        images[row], points[row] = render_identity(int(identity), image_size, variants, seed, version=version)
    if cache:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = path + f".{os.getpid()}.tmp.npz"
        np.savez(partial, images=images, landmarks=points)
        os.replace(partial, path)
    return images, points


def _check(image_size, num_identities, variants, yaws, version=1):
    if version not in VERSIONS:
        raise GanzooError(f"ganzoo.data: synthfaces version={version!r} is not one of {list(VERSIONS)}; "
                          "use 1 (the presets' data) or 2 (identity in geometry, varied light and camera).")
    if int(image_size) < 16:
        raise GanzooError(f"ganzoo.data: synthfaces image_size={image_size} is too small; use 16 or more (64 default).")
    if int(num_identities) < 5:
        raise GanzooError(
            f"ganzoo.data: synthfaces num_identities={num_identities} leaves no test identity; use at least 5."
        )
    if int(variants) < 1:
        raise GanzooError(f"ganzoo.data: synthfaces variants={variants} must be at least 1.")
    bad = [y for y in yaws if y not in YAWS]
    if bad or not yaws:
        raise GanzooError(
            f"ganzoo.data: synthfaces yaws={list(yaws)} must be a non-empty subset of {list(YAWS)} (degrees)."
        )


def arrays(split: str = "train", image_size: int = 64, num_identities: int = 500, variants: int = 2,
           yaws=YAWS, seed: int = 0, cache_dir: str | None = None, cache: bool = True,
           version: int = 1) -> dict[str, np.ndarray]:
    """One split as numpy, one row per (identity, variant, yaw), rendered by renderer ``version`` (1 or 2).

    Returns:
        ``pose`` and ``frontal`` uint8 ``[n, H, W, 3]``, ``landmarks`` float32 ``[n, 5, 2]`` (x, y
        pixels), ``identity`` and ``yaw`` int32 ``[n]``.
    """
    yaws = tuple(int(y) for y in yaws)
    _check(image_size, num_identities, variants, yaws, version)
    ids = split_identities(split, int(num_identities))
    images, points = renders(int(image_size), int(num_identities), int(variants), int(seed), cache_dir, cache,
                             int(version), split)
    columns = [YAWS.index(y) for y in yaws]
    frontal_column = YAWS.index(0)
    pose = images[:, :, columns]                                        # [k, V, Y, H, W, 3]
    frontal = np.broadcast_to(images[:, :, frontal_column : frontal_column + 1], pose.shape)
    k, v, y = pose.shape[:3]
    shape = (k * v * y,) + pose.shape[3:]
    return {
        "pose": pose.reshape(shape),
        "frontal": np.ascontiguousarray(frontal).reshape(shape),
        "landmarks": np.broadcast_to(points[:, None, columns], (k, v, y, 5, 2)).reshape(-1, 5, 2).copy(),
        "identity": np.repeat(ids, v * y).astype(np.int32),
        "yaw": np.tile(np.asarray(yaws, np.int32), k * v),
    }


def to_float(images: np.ndarray | tf.Tensor) -> tf.Tensor:
    """uint8 -> float32 in [-1, 1]."""
    return tf.cast(images, tf.float32) * (2.0 / 255.0) - 1.0


@register(
    "synthfaces",
    description="rendered parametric 3-D heads at yaw -90..90 with frontal truth, landmarks, identity; offline",
)
def synthfaces(split="train", image_size=None, channels=None, with_labels=False, shuffle=True, seed=0,
               num_identities=500, variants=2, yaws=YAWS, cache_dir=None, version=1) -> Source:
    """Posed faces and their frontal truth (``with_labels`` is implied: identities always come along).

    ``version=2`` (config ``data.version = 2``) renders identities that differ in geometry more
    than in tone, under a light and camera colour of their own per variant (module docstring).
    """
    data = arrays(split, int(image_size or 64), num_identities, variants, tuple(yaws), seed, cache_dir,
                  version=version)
    channels = channels or 3

    def convert(pose, info):
        info = dict(info)
        info["frontal"] = set_channels(to_float(info["frontal"]), channels)
        return set_channels(to_float(pose), channels), info

    info = {k: data[k] for k in ("landmarks", "frontal", "identity", "yaw")}
    dataset = tf.data.Dataset.from_tensor_slices((data["pose"], info))
    if shuffle:
        # Shuffle the uint8 examples, then convert: a float32 shuffle buffer is 4x the memory.
        dataset = dataset.shuffle(len(data["pose"]), seed=seed, reshuffle_each_iteration=True)
    return Source(dataset.map(convert), len(data["pose"]), in_memory=True, shuffled=bool(shuffle))
