"""python -m ganzoo.list: every model, dataset, config and preset, with what each config takes."""

import pathlib

from ganzoo import list as list_script
from ganzoo import models, presets
from ganzoo.data import list_datasets

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_config_says_what_it_trains_and_how_long_it_takes():
    rows = list_script.config_rows(str(ROOT / "configs"))
    assert len(rows) == len(list((ROOT / "configs").glob("*.py")))
    for name, first_line, time in rows:
        assert first_line, f"configs/{name} has no docstring saying what it trains"
        assert time, f"configs/{name}'s docstring does not say how long it takes"


def test_config_time_reads_the_docstrings_phrases():
    assert list_script.config_time("DCGAN.\n\nAbout 5 minutes on 2 CPU cores.") == "About 5 minutes"
    per_epoch = "about 13 minutes per 50,000-image epoch"
    assert list_script.config_time(f"x: {per_epoch} and 6-7 hours in all") == per_epoch
    assert list_script.config_time("Budget: <= 45 minutes, all in") == "<= 45 minutes"
    assert list_script.config_time("Not yet timed on this machine") == "Not yet timed"
    assert list_script.config_time("a model of 2015 with 64 filters") == ""


def test_every_model_names_its_paper_with_an_arxiv_id():
    rows = list_script.model_rows()
    assert [row[0] for row in rows] == sorted(models.MODELS)
    papers = dict((row[1], row[2]) for row in rows)
    assert papers["DCGAN"] == "Radford et al. 2015 (arXiv 1511.06434)"
    assert papers["WGAN"] == "Arjovsky et al. 2017 (arXiv 1701.07875, 1704.00028)"
    assert all("(arXiv " in paper for paper in papers.values())


def test_tables_list_every_registry_entry_and_preset():
    text = list_script.tables(list_script.TABLES, str(ROOT / "configs"))
    for expected in [*models.MODELS, *list_datasets(), *presets.available(), "dcgan_digits.py"]:
        assert expected in text
    for title in ("models (", "datasets (", "configs in ", "presets ("):
        assert title in text


def test_format_table_aligns_columns_and_cuts_only_long_inner_cells():
    table = list_script.format_table("t", ("a", "b"), [("x" * 200, "y" * 200)], width=20)
    header, rule, row = table.splitlines()[1:]
    assert row.startswith("x" * 19 + "…") and row.endswith("y" * 200)
    assert rule.split("  ")[0] == "-" * 20
