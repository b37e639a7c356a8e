"""MultiWorkerMirroredStrategy: two worker processes on 127.0.0.1 train a tiny config to the end."""

import json
import os
import pathlib
import socket
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_two_workers_train_to_the_end_and_the_chief_export_loads(tmp_path):
    workers = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    workdir = tmp_path / "run"
    args = [
        sys.executable, "-m", "ganzoo.train", "--config=configs/dcgan_digits.py", f"--workdir={workdir}",
        "--config.strategy=multi_worker", "--config.train.epochs=2", "--config.train.steps_per_epoch=3",
        "--config.train.batch_size=16", "--config.model.g_filters=8", "--config.model.d_filters=8",
        "--config.model.latent_dim=8", "--config.data.image_size=16", "--config.train.num_samples=4",
    ]
    processes = []
    for index in range(2):
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = dict(os.environ, TF_CONFIG=json.dumps(tf_config), TF_CPP_MIN_LOG_LEVEL="3")
        processes.append(subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr[-3000:]
    metrics = json.loads((workdir / "metrics.json").read_text())
    assert metrics["steps"] == 6
    assert sorted(os.listdir(workdir / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    import numpy as np
    import tensorflow as tf

    serving = tf.saved_model.load(str(workdir / "saved_model")).signatures["serving_default"]
    images = serving(z=tf.zeros([2, 8]))["images"].numpy()
    assert images.shape == (2, 16, 16, 1) and np.isfinite(images).all()
