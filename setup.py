"""ganzoo: a TensorFlow/Keras 3 zoo of generative adversarial networks."""

from setuptools import find_packages, setup

setup(
    name="ganzoo",
    version="0.1.0",
    description="GANs for TensorFlow/Keras 3: train, sample, evaluate, distribute and export, offline.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["ganzoo", "ganzoo.*"]),
    # Trained models that ship in the wheel (ganzoo.presets): each folder <= 5 MB, all <= 30 MB.
    package_data={"ganzoo.presets": ["*/preset.json", "*/model.keras", "*/model.json",
                                     "*/generator.weights.h5", "*/samples.png"]},
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3",
        "tensorflow-datasets",
        "numpy",
        "absl-py",
        # --config=file.py plus --config.a.b=value overrides, typed and validated.
        "ml_collections",
        # keras.callbacks.TensorBoard needs it and TF >= 2.21 no longer installs it.
        "tensorboard",
        # Bundled offline data: the 1,797 handwritten digits ship inside scikit-learn.
        "scikit-learn",
        # Bundled offline photographs (astronaut, coffee, chelsea, ...) for super-resolution.
        "scikit-image",
        # FID's matrix square root and KID/precision-recall distances (scikit-learn needs it too).
        "scipy",
        # printed_digits renders the TrueType fonts matplotlib ships (CycleGAN's offline benchmark).
        "matplotlib",
    ],
    extras_require={
        "test": ["pytest", "pytest-xdist"],
    },
    entry_points={
        "console_scripts": [
            "ganzoo-train=ganzoo.train:run",
            "ganzoo-sample=ganzoo.sample:run",
            "ganzoo-export=ganzoo.export.__main__:run",
            "ganzoo-evaluate=ganzoo.evaluate:run",
            "ganzoo-list=ganzoo.list:run",
        ],
    },
)
