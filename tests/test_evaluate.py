"""The evaluate script and the Evaluate callback, on a tiny trained run."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import callbacks, data, metrics
from ganzoo import evaluate as evaluate_lib
from ganzoo import train as train_lib
from ganzoo.errors import GanzooError
from ganzoo.models import DCGAN

from test_train_script import tiny_config


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("evalrun"))
    config = tiny_config()
    config.train.epochs = 1
    train_lib.train(config, workdir, verbose=0)
    return workdir


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("cache"))
    os.environ["GANZOO_CACHE_DIR"] = path
    yield path
    os.environ.pop("GANZOO_CACHE_DIR", None)


def test_evaluate_run_writes_eval_json_naming_the_extractor(run, cache_dir):
    report = evaluate_lib.evaluate_run(run, metrics_names=("fid", "kid", "pr"), num_samples=300)
    saved = json.load(open(os.path.join(run, "eval.json")))
    assert saved == json.loads(json.dumps(report))
    assert report["extractor"].startswith("domain_classifier/digits/16x16x1/")
    assert report["fid"]["fid"] > 0 and 0 <= report["pr"]["precision"] <= 1
    assert report["num_real"] == 300 and report["num_fake"] == 300
    assert "fid" in evaluate_lib.format_table(report)
    with pytest.raises(GanzooError, match="eval.json' exists; pass --overwrite"):
        evaluate_lib.evaluate_run(run, metrics_names=("fid",), num_samples=300)


def test_evaluate_refuses_mismatched_image_sizes(run, cache_dir, tmp_path):
    with pytest.raises(GanzooError, match=r"real images are \(32, 32, 1\) but the generator makes \(16, 16, 1\)"):
        evaluate_lib.evaluate_run(saved_model=os.path.join(run, "saved_model"), dataset="digits",
                                  metrics_names=("fid",), num_samples=200, out=str(tmp_path / "e.json"))


def test_evaluate_names_unknown_metrics_and_missing_runs(tmp_path):
    with pytest.raises(GanzooError, match="unknown metric"):
        evaluate_lib.evaluate_run(str(tmp_path), metrics_names=("fidd",))
    with pytest.raises(GanzooError, match="config.json' is missing"):
        evaluate_lib.evaluate_run(str(tmp_path), metrics_names=("fid",))


def test_evaluate_callback_adds_metrics_to_history(cache_dir, tmp_path):
    real, _ = data.digits.arrays("test", 16, 1)
    gan = DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=8, d_filters=8)
    gan.compile()
    extractor = metrics.from_function(lambda x: np.asarray(x).reshape(len(x), -1)[:, ::8], "pixels/8")
    callback = callbacks.Evaluate(real, extractor, num_samples=64, metrics=("fid", "pr"), log_dir=str(tmp_path))
    history = gan.fit(data.load("digits", image_size=16, batch_size=16).take(2), epochs=2, callbacks=[callback], verbose=0)
    assert len(history.history["fid"]) == 2 and history.history["fid"][0] > 0
    assert "precision" in history.history and "recall" in history.history
    assert os.listdir(tmp_path / "eval")


def test_the_report_records_which_folder_images_were_the_reference(tmp_path):
    import numpy as np
    import tensorflow as tf

    from ganzoo import data
    from ganzoo.evaluate import reference_record

    for i in range(10):
        pixels = np.full((8, 8, 3), 20 * i, np.uint8)
        tf.io.write_file(str(tmp_path / f"img{i}.png"), tf.io.encode_png(pixels))
    options = {"image_size": 8, "channels": 3, "test_fraction": 0.3, "split_seed": 1}
    real = np.concatenate([x.numpy() for x in data.load(f"folder:{tmp_path}", split="test", batch_size=4,
                                                        shuffle=False, drop_remainder=False, **options)])
    record = reference_record(f"folder:{tmp_path}", "test", options, real)
    assert record["count"] == len(real) == len(record["files"]) > 0
    train = reference_record(f"folder:{tmp_path}", "train", options, real)
    assert not set(record["files"]) & set(train["files"])  # held-out files are not training files
    # Each listed file is the image at its position: its pixel value says which one.
    for name, image in zip(record["files"], real):
        assert int(name[3:-4]) * 20 == round((float(image.mean()) + 1) * 127.5)
    assert record["sha256"] != reference_record("digits", "test", {}, real[:1])["sha256"]
