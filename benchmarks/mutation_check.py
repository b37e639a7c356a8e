"""Mutation check of ganzoo's core: plants small bugs one at a time and lists the survivors.

A mutant is the core with one small change — an operator flipped (``+``/``-``, ``*``/``/``,
``<``/``<=``, ...), a unary minus dropped, a constant moved (``1.0`` → ``2.0``, ``0`` → ``1``), a
reduction swapped (``reduce_mean``/``reduce_sum``, ``compute_average_loss`` → ``reduce_mean``)
or a padding mode changed. For each one the related *fast* tests run (``pytest -x``, stopping
at the first failure); a mutant whose tests all pass **survives**: either a test is missing or
the change is equivalent (record which in BUILD_NOTES.md).

Every mutant is planted in a private copy of the working tree (``--workdir``, default a temp
folder), never in the checkout itself, so others' test runs and edits are untouched; the copy
is imported through ``PYTHONPATH`` ahead of the editable install.

    python benchmarks/mutation_check.py --table          # the planted bugs of issue 31
    python benchmarks/mutation_check.py                  # every core mutant (336; ~2 h in two processes, --module split)
    python benchmarks/mutation_check.py --every 4        # every 4th mutant (~15 min)
    python benchmarks/mutation_check.py --module losses --list
    python benchmarks/mutation_check.py --at losses.py:80 --at pyramid.py:104   # only these lines' mutants

Prints one line per mutant, then a table of survivors and a JSON line
``{"mutants": N, "killed": K, "survivors": S, "seconds": T}``.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Module -> (functions whose bodies are mutated, the fast tests that guard them).
CORE = {
    "losses": ("ganzoo/losses.py", None, ["tests/test_losses.py", "tests/models/test_wgan.py",
                                          "tests/test_keras_citizen.py::test_named_and_registered_losses_survive_save_and_load"]),
    "step": ("ganzoo/training/step.py", ["average", "evaluate_objective"],
             ["tests/training/test_step_by_hand.py"]),
    "regularizers": ("ganzoo/training/regularizers.py", None,
                     ["tests/training/test_step_by_hand.py", "tests/test_remedies.py",
                      "tests/test_training.py::test_began_balance_makes_ds_loss_the_papers_and_steps_k_t_by_hand"]),
    "statistics": ("ganzoo/metrics/statistics.py",
                   ["update", "merge", "covariance", "_psd_sqrt", "trace_sqrt_product",
                    "frechet_distance", "check_rank"],
                   ["tests/metrics/test_fid_statistics.py"]),
    "kid": ("ganzoo/metrics/kid.py", None, ["tests/metrics/test_kid.py"]),
    "pyramid": ("ganzoo/ops/pyramid.py", None, ["tests/ops/test_pyramid.py"]),
}

# The planted bugs of issue 31's table: (name, file, old, new, tests).
TABLE = [
    ("hinge G loss returns +f", "ganzoo/losses.py",
     '"""G\'s hinge loss: L_G = −f."""\n    return -_per_example(fake_outputs)',
     '"""G\'s hinge loss: L_G = −f."""\n    return _per_example(fake_outputs)',
     ["tests/test_losses.py"]),
    ("WGAN-GP penalty loses its weight (10 -> 1)", "ganzoo/training/regularizers.py",
     'Term(penalty, self.weight)', 'Term(penalty, 1.0)',
     ["tests/training/test_step_by_hand.py", "tests/models/test_wgan.py"]),
    ("pyramid padding SYMMETRIC -> REFLECT", "ganzoo/ops/pyramid.py",
     'mode="SYMMETRIC"', 'mode="REFLECT"', ["tests/ops/test_pyramid.py"]),
    ("FID: Σ1^½ Σ2 Σ1^½ -> Σ1 Σ2", "ganzoo/metrics/statistics.py",
     "m = s1 @ sigma2 @ s1", "m = sigma1 @ sigma2", ["tests/metrics/test_fid_statistics.py"]),
    ("global-batch averaging -> per-replica reduce_mean", "ganzoo/training/step.py",
     "return tf.nn.compute_average_loss(tf.cast(per_example, tf.float32))",
     "return tf.reduce_mean(tf.cast(per_example, tf.float32))",
     ["tests/training/test_step_by_hand.py",
      "tests/test_distribute.py::test_one_epoch_on_two_replicas_gives_the_single_replica_weights"]),
]

SWAPS = {"+": "-", "-": "+", "*": "/", "/": "*", "<": "<=", "<=": "<", ">": ">=", ">=": ">",
         "==": "!=", "!=": "==", "//": "*", "**": "*"}
NAME_SWAPS = {"reduce_mean": "reduce_sum", "reduce_sum": "reduce_mean", "True": "False",
              "False": "True", "compute_average_loss": "reduce_mean", "relu": "softplus",
              "softplus": "relu", "maximum": "minimum", "minimum": "maximum", "sqrt": "square"}
STRING_SWAPS = {'"SYMMETRIC"': '"REFLECT"'}
VALUE_ENDS = {"NAME", "NUMBER", "STRING"}
KEYWORDS = {"return", "if", "else", "and", "or", "not", "in", "is", "lambda", "yield", "for", "while"}


@dataclass
class Mutant:
    module: str
    path: str
    line: int
    old_line: str
    new_line: str
    tests: list

    def describe(self) -> str:
        return f"{self.path}:{self.line}: {self.old_line.strip()}  ->  {self.new_line.strip()}"


def _bodies(source: str, functions: list | None) -> set[int]:
    """Line numbers worth mutating: function bodies, minus docstrings and raise statements."""
    tree = ast.parse(source)
    lines: set[int] = set()
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if functions is not None and node.name not in functions:
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                skip |= set(range(body[0].lineno, body[0].end_lineno + 1))
            for statement in body:
                lines |= set(range(statement.lineno, statement.end_lineno + 1))
        if isinstance(node, (ast.Raise, ast.Assert)) or (
                isinstance(node, ast.Call) and getattr(node.func, "id", "") == "GanzooError"):
            skip |= set(range(node.lineno, node.end_lineno + 1))
    return lines - skip


def mutants_of(module: str) -> list[Mutant]:
    path, functions, tests = CORE[module]
    source = (ROOT / path).read_text()
    lines = source.splitlines(keepends=True)
    wanted = _bodies(source, functions)
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT,
                                tokenize.DEDENT)]
    found = []

    def plant(token, replacement, first=None):
        row, (c0, c1) = token.start[0], ((first or token).start[1], token.end[1])
        old = lines[row - 1]
        new = old[:c0] + replacement + old[c1:]
        found.append(Mutant(module, path, row, old, new, tests))

    for i, token in enumerate(tokens):
        if token.start[0] not in wanted or token.start[0] != token.end[0]:
            continue
        before = tokens[i - 1] if i else None
        binary = before is not None and (
            (tokenize.tok_name[before.type] in VALUE_ENDS and before.string not in KEYWORDS)
            or before.string in (")", "]"))
        if token.type == tokenize.OP and token.string in SWAPS:
            if token.string in ("*", "**") and not binary:
                continue  # *args / **kwargs
            if token.string == "-" and not binary:
                plant(token, "")  # drop a unary minus
            else:
                plant(token, SWAPS[token.string])
        elif token.type == tokenize.NUMBER:
            value = token.string
            if before is not None and before.string == "=" and tokens[i - 2].string == "axis":
                plant(token, "0" if value != "0" else "1")
            elif value in ("0", "0.0"):
                plant(token, "1" if value == "0" else "1.0")
            elif "j" not in value:
                number = float(value) if any(c in value for c in ".e") else int(value, 0)
                plant(token, repr(number * 2) if number else "1")
        elif token.type == tokenize.NAME and token.string in NAME_SWAPS:
            # tf.nn.compute_average_loss -> tf.reduce_mean: replace "nn." too
            first = tokens[i - 2] if tokens[i - 2].string == "nn" and token.string == "compute_average_loss" else None
            plant(token, NAME_SWAPS[token.string], first)
        elif token.type == tokenize.STRING and token.string in STRING_SWAPS:
            plant(token, STRING_SWAPS[token.string])
    return found


def make_copy(workdir: pathlib.Path) -> pathlib.Path:
    copy = workdir / "tree"
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in ("ganzoo", "tests", "configs", "benchmarks"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    for name in ("pytest.ini", "README.md", "BUILD_NOTES.md", "setup.py", "pyproject.toml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, copy / name)
    return copy


def _preload(copy: pathlib.Path) -> None:
    """Imports TensorFlow and the test tools once; each run forks from here (ganzoo not loaded).

    TensorFlow starts its thread pools with its first operation, so a child forked after the
    import alone runs normally; it saves the ~15 s import per mutant on this machine.
    """
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as tests/conftest.py, before TF loads
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    sys.path.insert(0, str(copy))
    sys.path.insert(0, str(copy / "tests"))
    import keras  # noqa: F401
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import scipy.linalg  # noqa: F401
    import tensorflow  # noqa: F401


def run_tests(copy: pathlib.Path, tests: list, select: str | None, timeout: float,
              slow: bool = False) -> tuple[str, float, str]:
    """('killed' | 'survived' | 'timeout', seconds, the first failing test) for the copy as it is."""
    arguments = ["-x", "-q", "-p", "no:cacheprovider", *([] if slow else ["-m", "not slow"]), *tests]
    if select:
        arguments += ["-k", select]
    log = copy.parent / "pytest.log"
    start = time.time()
    pid = os.fork()
    if pid == 0:  # the child: run pytest on the (mutated) copy and exit with its code
        code = 3
        try:
            os.chdir(copy)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            import pytest
            code = int(pytest.main(arguments))
        finally:
            sys.stdout.flush()
            os._exit(code)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() - start > timeout:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return "timeout", time.time() - start, ""
        time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    output = log.read_text(errors="replace")
    failed = next((line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))), "")
    if code in (4, 5):  # usage error or no tests collected: the selection is wrong, not the mutant
        raise SystemExit(f"mutation_check: pytest {' '.join(arguments)} collected nothing:\n{output[-2000:]}")
    return ("survived" if code == 0 else "killed"), time.time() - start, failed


def earlier_results(log: pathlib.Path, names: list[str]) -> dict[str, str]:
    """{mutant: "killed" | "survived" | "timeout"} for the mutants an earlier run's output reports."""
    results = {}
    for text in log.read_text(errors="replace").splitlines():
        parts = text.split(None, 3)
        if len(parts) == 4 and "/" in parts[0] and parts[1] in ("killed", "survived", "timeout"):
            rest = parts[3]
            for name in names:
                if rest.startswith(name):
                    results[name] = parts[1]
    return results


def plant(copy: pathlib.Path, path: str, old: str, new: str, line: int | None = None) -> str:
    target = copy / path
    original = target.read_text()
    if line is not None:  # a generated mutant: replace that one line
        lines = original.splitlines(keepends=True)
        assert lines[line - 1] == old, (path, line)
        lines[line - 1] = new
        target.write_text("".join(lines))
        return original
    if original.count(old) != 1:
        raise SystemExit(f"mutation_check: {path} holds {original.count(old)} copies of {old!r}; expected 1")
    target.write_text(original.replace(old, new))
    return original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(CORE), help="only these modules")
    parser.add_argument("--table", action="store_true", help="plant issue 31's table of bugs instead")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--every", type=int, default=1, help="run every k-th mutant only (a quicker pass)")
    parser.add_argument("--at", action="append", help="only the mutants of this line, FILE:LINE (FILE's name or "
                        "path's end, e.g. losses.py:80), e.g. to re-check an earlier run's survivors")
    parser.add_argument("--tests", nargs="*", help="override the test files")
    parser.add_argument("-k", dest="select", help="pytest -k expression for every run")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant (counts as killed)")
    parser.add_argument("--workdir", default=None, help="where to put the copy (default: a temp folder)")
    parser.add_argument("--resume", default=None, help="an earlier run's output: its mutants' results are "
                        "taken from it, the others run (a pass can be spread over several sittings)")
    args = parser.parse_args()

    if args.table:
        cases = [(name, path, old, new, tests, None) for name, path, old, new, tests in TABLE]
    else:
        cases = []
        for module in args.module or sorted(CORE):
            for m in mutants_of(module):
                cases.append((m.describe(), m.path, m.old_line, m.new_line, m.tests, m.line))
        if args.at:
            wanted = {tuple(at.rsplit(":", 1)) for at in args.at}
            bad = [at for at in args.at if ":" not in at or not at.rsplit(":", 1)[1].isdigit()]
            if bad:
                raise SystemExit(f"mutation_check: --at {bad[0]}: give FILE:LINE, e.g. losses.py:80.")
            cases = [case for case in cases
                     if any(str(case[1]).endswith(f) and str(case[5]) == line for f, line in wanted)]
            if not cases:
                raise SystemExit(f"mutation_check: no mutant at {', '.join(args.at)}; see --list.")
        cases = cases[::max(1, args.every)]
    if args.list:
        for i, case in enumerate(cases, 1):
            print(f"{i:3d} {case[0]}")
        print(f"{len(cases)} mutants")
        return

    workdir = pathlib.Path(args.workdir or tempfile.mkdtemp(prefix="ganzoo_mutation_"))
    copy = make_copy(workdir)
    _preload(copy)
    start = time.time()
    baseline = {}
    survivors, killed, timed_out = [], 0, []
    earlier = earlier_results(pathlib.Path(args.resume), [case[0] for case in cases]) if args.resume else {}
    killers: dict[tuple, list[str]] = {}  # per test selection: the tests that killed a mutant, newest first
    for i, (name, path, old, new, tests, line) in enumerate(cases, 1):
        tests = args.tests or tests
        key = tuple(tests)
        if name in earlier:
            status, seconds, failed = earlier[name], 0.0, "(from --resume)"
        else:
            if key not in baseline:  # the unmutated tests must pass, or every mutant looks killed
                status, seconds, failed = run_tests(copy, tests, args.select, args.timeout, args.table)
                if status != "survived":
                    raise SystemExit(f"mutation_check: the unmutated tree fails {tests}: {failed or status}")
                baseline[key] = seconds
            original = plant(copy, path, old, new, line)
            try:
                status, seconds, failed = "survived", 0.0, ""
                if killers.get(key):  # the tests that killed earlier mutants first: most mutants die there
                    status, seconds, failed = run_tests(copy, killers[key][:3], args.select, args.timeout,
                                                        args.table)
                if status == "survived":  # then every guarding test, as without the shortcut
                    status, more, failed = run_tests(copy, tests, args.select, args.timeout, args.table)
                    seconds += more
            finally:
                (copy / path).write_text(original)
            test_id = failed.split()[1] if failed.startswith(("FAILED", "ERROR")) and len(failed.split()) > 1 else ""
            if status == "killed" and test_id:
                killers[key] = [test_id] + [t for t in killers.get(key, []) if t != test_id]
        killed += status != "survived"
        if status == "survived":
            survivors.append(name)
        elif status == "timeout":  # counted as killed (a mutant may loop forever), listed to re-run
            timed_out.append(name)
        print(f"{i:3d}/{len(cases)} {status:8s} {seconds:5.1f}s  {name}  {failed[:120]}", flush=True)
    print("\nSurvivors:" if survivors else "\nNo survivors.")
    for name in survivors:
        print(f"  {name}")
    if timed_out:
        print(f"Timed out (counted as killed; re-run them alone with a longer --timeout to tell a "
              f"hanging mutant from a slow machine):")
        for name in timed_out:
            print(f"  {name}")
    print(json.dumps({"mutants": len(cases), "killed": killed, "survivors": len(survivors),
                      "timed_out": len(timed_out), "seconds": round(time.time() - start, 1)}))


if __name__ == "__main__":
    main()
