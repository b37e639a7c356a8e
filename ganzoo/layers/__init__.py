"""Reusable, serializable Keras layers."""

from ganzoo.layers.maxout import Maxout

__all__ = ["Maxout"]
