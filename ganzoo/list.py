r"""Prints what is in the zoo: ``python -m ganzoo.list``.

Four tables: models (registry name, class, paper), datasets (registry names, one line each),
configs (file, what it trains and how long it takes, both from the file's docstring) and
presets (name, size, quality). ``--what=models,presets`` prints some of them;
``--configs_dir`` points at a configs folder (default: ``./configs``, else the source
checkout's, since configs live in the repository, not in the wheel).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from ganzoo import startup  # noqa: E402  (TensorFlow's start-up lines hidden unless --verbosity >= 1)

startup.import_tensorflow()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import ast  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from typing import Sequence  # noqa: E402

from absl import app, flags  # noqa: E402

TABLES = ("models", "datasets", "configs", "presets")

# How long a config takes, as its docstring says it: the first match wins.
_TIME_PATTERNS = (
    r"(?:(?:about|at most|roughly|<=|~)\s+)?\d[\d.,]*(?:\s*[-–+]\s*\d[\d.,]*)*\s*"
    r"(?:minutes?|hours?|seconds?)(?:\s+(?:an|per)\s+(?:[\w,-]+\s+)?epoch)?",
    r"not yet timed",
    r"(?:hours|days|weeks)(?: an epoch)?(?: on CPU)?",
    r"depends on (?:the|your) data",
)


def paper(module_doc: str) -> str:
    """``First et al. YEAR (arXiv ID, ...)`` from the docstring paragraph that names the paper.

    The paragraph starts with the authors and year (``Radford, Metz, Chintala 2015, "..."``), or
    holds ``First et al. YEAR`` with the arXiv id; "" when no paragraph names a paper.
    """
    for block in module_doc.strip().split("\n\n"):
        paragraph = " ".join(block.split())
        ids = re.findall(r"arXiv (\d{4}\.\d{4,5})", paragraph)
        match = re.match(r"(.+?) (\d{4}),", paragraph)
        if match and len(match.group(1)) < 80 and not re.search(r"[:(]", match.group(1)) and ids:
            authors, year = match.groups()
            names = authors.replace(" et al.", "").split(", ")
            first = names[0] if len(names) == 1 and "et al" not in authors else f"{names[0]} et al."
            if len(names) == 2:
                first = f"{names[0]}, {names[1]}"
            return f"{first} {year} (arXiv {', '.join(ids)})"
        match = re.search(r"([A-Z][\w-]+ et al\.) (\d{4})", paragraph)
        if match and ids:
            return f"{match.group(1)} {match.group(2)} (arXiv {', '.join(ids)})"
    return ""


def model_rows() -> list[tuple[str, str, str]]:
    """(registry name, class, paper) for every model in ``ganzoo.models.MODELS``."""
    from ganzoo import models

    return [
        (name, cls.__name__, paper(sys.modules[cls.__module__].__doc__ or "")
         or paper(sys.modules[cls.__module__.rpartition(".")[0]].__doc__ or "") or paper(cls.__doc__ or ""))
        for name, cls in sorted(models.MODELS.items())
    ]


def dataset_rows() -> list[tuple[str, str]]:
    """(registry name, description) for every registered dataset source."""
    from ganzoo import data

    return list(data.list_datasets().items())


def config_time(doc: str) -> str:
    """How long the config takes, as its docstring states it ("" when it does not)."""
    text = " ".join(doc.split())
    for pattern in _TIME_PATTERNS:
        found = re.search(pattern, text, re.IGNORECASE)
        if found:
            return found.group(0)
    return ""


def config_rows(configs_dir: str) -> list[tuple[str, str, str]]:
    """(file, first docstring line, time) for every ``*.py`` in ``configs_dir`` (read, not run)."""
    rows = []
    for name in sorted(os.listdir(configs_dir)):
        if not name.endswith(".py") or name.startswith("_"):
            continue
        with open(os.path.join(configs_dir, name), encoding="utf-8") as handle:
            doc = ast.get_docstring(ast.parse(handle.read())) or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        rows.append((name, first, config_time(doc)))
    return rows


def preset_rows() -> list[tuple[str, str, str]]:
    """(name, size in MB, quality summary) for every preset that ships."""
    from ganzoo import presets

    rows = []
    for name in presets.available():
        meta = presets.info(name)
        rows.append((name, f"{meta['size_bytes'] / 1e6:.1f} MB", meta["quality"].get("summary", "")))
    return rows


def default_configs_dir() -> str | None:
    """``./configs`` when it exists, else the source checkout's ``configs/`` (None in a wheel)."""
    checkout = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs")
    for candidate in ("configs", checkout):
        if os.path.isdir(candidate):
            return candidate
    return None


def format_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], width: int = 100) -> str:
    """A plain-text table; cells of all but the last column are cut to about ``width``·2/columns."""
    limit = max(12, width // len(headers) * 2)
    cut = lambda i, c: c if len(c) <= limit or i == len(headers) - 1 else c[: limit - 1] + "…"  # noqa: E731
    cells = [[cut(i, c) for i, c in enumerate(map(str, row))] for row in rows]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    line = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    out = [f"{title} ({len(rows)})", line(headers), line(["-" * w for w in widths])]
    return "\n".join(out + [line(row) for row in cells])


def tables(what: Sequence[str], configs_dir: str | None) -> str:
    parts = []
    if "models" in what:
        parts.append(format_table("models", ("name", "class", "paper"), model_rows()))
    if "datasets" in what:
        parts.append(format_table("datasets", ("name", "what it is"), dataset_rows()))
    if "configs" in what:
        if configs_dir is None:
            parts.append("configs: none here; they are in the source repository's configs/ folder.")
        else:
            parts.append(format_table(f"configs in {configs_dir}", ("file", "what it trains", "time on 2 CPU cores"),
                                      config_rows(configs_dir)))
    if "presets" in what:
        rows = preset_rows()
        parts.append(format_table("presets", ("name", "size", "quality"), rows))
    return "\n\n".join(parts)


def define_flags() -> None:
    """Defines the script's flags (only when run as a script, so modules can be imported together)."""
    flags.DEFINE_list("what", list(TABLES), "Tables to print: models, datasets, configs, presets.")
    flags.DEFINE_string("configs_dir", None, "A configs folder (default ./configs or the checkout's).")


def main(argv: list[str]) -> None:
    del argv
    unknown = sorted(set(flags.FLAGS.what) - set(TABLES))
    if unknown:
        sys.exit(f"ganzoo.list: --what={','.join(unknown)} is not a table; choose from {', '.join(TABLES)}.")
    configs_dir = flags.FLAGS.configs_dir or default_configs_dir()
    if flags.FLAGS.configs_dir and not os.path.isdir(configs_dir):
        sys.exit(f"ganzoo.list: --configs_dir='{configs_dir}' is not a folder.")
    print(tables(flags.FLAGS.what, configs_dir))


def run() -> None:
    """Console-script entry point (``ganzoo-list``)."""
    define_flags()
    app.run(main)


if __name__ == "__main__":
    run()
