"""Build shim: the metadata is in pyproject.toml.

It stays for two things pyproject.toml cannot say: the configs live at the clone's top level
(``configs/``, as the README's commands use them) and ship inside the package as
``ganzoo.configs``, so that ``--config=dcgan_digits`` works after ``pip install ganzoo``.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["ganzoo", "ganzoo.*"]) + ["ganzoo.configs"],
    package_dir={"ganzoo.configs": "configs"},
)
