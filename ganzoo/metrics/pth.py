"""Reads PyTorch ``.pth`` state dicts into NumPy arrays, without PyTorch.

The FID Inception weights that users already have on disk (pytorch-fid's
``pt_inception-2015-12-05-6726825d.pth``, torch-fidelity's
``weights-inception-2015-12-05-6726825d.pth``) are ``torch.save`` files. ganzoo reads them with
the standard library's ``pickle`` and ``zipfile`` so that TensorFlow users need no PyTorch:

    read_state_dict(path) -> {"Conv2d_1a_3x3.conv.weight": np.ndarray [32, 3, 3, 3], ...}

Both serialization formats are understood: the zip archive ``torch.save`` writes since PyTorch
1.6 (``<archive>/data.pkl`` plus one file per storage under ``<archive>/data/``) and the older
"legacy" stream (magic number, protocol version, system info, the pickled object, the storage
keys, then each storage as an int64 element count followed by its bytes). Only what a state dict
of dense CPU-or-GPU tensors needs is supported; anything else (a whole pickled ``nn.Module``,
sparse or quantized tensors) is refused with a ``GanzooError`` that names the file.

The unpickler only creates ``collections.OrderedDict`` and tensors: every other global a file
names is refused, so reading a weights file never runs code from it.
"""

from __future__ import annotations

import collections
import os
import pickle
import struct
import zipfile
from typing import Any

import numpy as np

from ganzoo.errors import GanzooError

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001

# torch storage class name -> little-endian NumPy dtype.
_STORAGE_DTYPES = {
    "FloatStorage": "<f4",
    "DoubleStorage": "<f8",
    "HalfStorage": "<f2",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}


class _Storage:
    """A flat typed buffer; ``data`` is filled once the bytes are read."""

    def __init__(self, dtype: str, numel: int) -> None:
        self.dtype = np.dtype(dtype)
        self.numel = int(numel)
        self.data: np.ndarray | None = None


class _LazyTensor:
    """A view (offset, size, stride) into a storage, materialized after all bytes are read."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset, self.size, self.stride = storage, int(offset), tuple(size), tuple(stride)

    def to_numpy(self) -> np.ndarray:
        flat = self.storage.data
        itemsize = flat.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset:], shape=self.size, strides=[s * itemsize for s in self.stride]
        )
        return np.array(view)  # a contiguous copy that owns its memory


def _rebuild_tensor(storage, storage_offset, size, stride, *unused):
    return _LazyTensor(storage, storage_offset, size, stride)


def _rebuild_parameter(data, *unused):
    return data


class _StateDictUnpickler(pickle.Unpickler):
    """Unpickles a state dict, mapping torch's storages through ``persistent_load``."""

    def __init__(self, file: Any, storages: dict[str, _Storage], path: str) -> None:
        super().__init__(file)
        self.storages = storages
        self.path = path

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in _STORAGE_DTYPES:
            return name
        raise GanzooError(
            f"ganzoo.metrics: '{self.path}' holds a pickled {module}.{name}, not a plain state dict "
            "of tensors; save the model's state_dict() with torch.save."
        )

    def persistent_load(self, pid: Any) -> Any:
        kind, storage_type, key, _location, numel = pid[:5]
        if kind != "storage" or storage_type not in _STORAGE_DTYPES:
            raise GanzooError(f"ganzoo.metrics: '{self.path}' has an unsupported storage {pid!r}.")
        key = str(key)
        if key not in self.storages:
            self.storages[key] = _Storage(_STORAGE_DTYPES[storage_type], numel)
        return self.storages[key]


def _read_zip(path: str) -> Any:
    storages: dict[str, _Storage] = {}
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if not pickles:
            raise GanzooError(f"ganzoo.metrics: '{path}' is a zip file without data.pkl, not a torch.save file.")
        prefix = pickles[0][: -len("data.pkl")]
        with archive.open(pickles[0]) as handle:
            obj = _StateDictUnpickler(handle, storages, path).load()
        for key, storage in storages.items():
            raw = archive.read(f"{prefix}data/{key}")
            storage.data = np.frombuffer(raw, storage.dtype, count=storage.numel)
    return obj


def _read_legacy(path: str) -> Any:
    storages: dict[str, _Storage] = {}
    with open(path, "rb") as handle:
        safe = _StateDictUnpickler(handle, storages, path)
        if safe.load() != _LEGACY_MAGIC:
            raise GanzooError(f"ganzoo.metrics: '{path}' is not a torch.save file (wrong magic number).")
        if safe.load() != _LEGACY_PROTOCOL:
            raise GanzooError(f"ganzoo.metrics: '{path}' uses an unknown torch.save protocol version.")
        safe.load()  # system info (byte order, type sizes)
        obj = _StateDictUnpickler(handle, storages, path).load()
        keys = _StateDictUnpickler(handle, storages, path).load()
        for key in keys:
            storage = storages[str(key)]
            (numel,) = struct.unpack("<q", handle.read(8))
            raw = handle.read(numel * storage.dtype.itemsize)
            if len(raw) != numel * storage.dtype.itemsize:
                raise GanzooError(f"ganzoo.metrics: '{path}' is truncated (storage {key}); download it again.")
            storage.data = np.frombuffer(raw, storage.dtype, count=numel)
    return obj


def read_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """``{name: array}`` of a ``torch.save``\\ d state dict, read without PyTorch.

    Args:
        path: a ``.pth`` / ``.pt`` file holding a ``dict`` (or ``OrderedDict``) of tensors.

    Returns:
        An ordered ``dict`` of NumPy arrays with the tensors' shapes and dtypes (float32 for
        ``FloatStorage``). Raises ``GanzooError`` naming the file when it is missing, truncated,
        or not a state dict.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise GanzooError(f"ganzoo.metrics: weights file '{path}' does not exist.")
    try:
        obj = _read_zip(path) if zipfile.is_zipfile(path) else _read_legacy(path)
    except GanzooError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, struct.error, zipfile.BadZipFile,
            TypeError, IndexError, AttributeError) as error:
        raise GanzooError(
            f"ganzoo.metrics: '{path}' is not a readable torch.save state dict "
            f"({type(error).__name__}: {error}); download the file again."
        ) from None
    if not isinstance(obj, dict):
        raise GanzooError(
            f"ganzoo.metrics: '{path}' holds a {type(obj).__name__}, not a state dict of tensors."
        )
    out: dict[str, np.ndarray] = {}
    for name, value in obj.items():
        if not isinstance(value, _LazyTensor):
            raise GanzooError(f"ganzoo.metrics: '{path}' entry '{name}' is not a tensor.")
        out[str(name)] = value.to_numpy()
    return out
