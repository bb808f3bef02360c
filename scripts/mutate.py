#!/usr/bin/env python3
"""Mutation testing of the protocol codecs and the chat core: what `make mutate` runs.

mutmut (configured in pyproject.toml's `[tool.mutmut]`) writes its mutated copy of the
source, and its results, to a `mutants/` folder beside pyproject.toml. So this script
never runs it in the work tree: it copies `src/`, `tests/` and `pyproject.toml` to a work
folder (default `build/mutate/`, which git ignores) and runs mutmut there. A run therefore
sees one snapshot of the tree even while people go on editing it, and nothing it writes
can be committed by accident. The work folder is kept: the next run re-tests only the
functions whose source changed (`--fresh` starts over).

Afterwards it prints the score of every mutated module (killed / checked mutants), writes
that table to `scores.txt` and the surviving mutants to `survivors.txt` in the work folder,
and exits 1 if a fully checked module scores under `--fail-under`. docs/mutation.md says
what is mutated, why, and which survivors are equivalent mutants.

Usage:
    python scripts/mutate.py [--fresh] [--retest] [--fail-under 90] [--max-children N] [GLOB ...]
    python scripts/mutate.py report          # the table again, without running
    python scripts/mutate.py show MUTANT     # the diff of one mutant

GLOB selects mutants by name, as mutmut's own: `'parley.protocol.framing*'`. mutmut lets
an old verdict stand while its function is unchanged, even when tests were added since:
`--retest` runs the mutants that were not killed once more, against the tests as they are.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("src", "tests", "pyproject.toml")

# mutmut's exit codes (mutmut/stats.py) as a score needs them. Killed: the tests failed (1,
# 3), ran past the time limit (24, 36, 152, 255, -24: SIGXCPU) or crashed (-9, -11), or the
# type checker refused the mutant (37). Not killed: the tests passed (0), none cover the
# code (5, 33), or the exit was unexplained (35). Anything else is not decided yet.
KILLED = frozenset({1, 3, 24, 36, 152, 255, -24, -9, -11, 37})
NOT_KILLED = frozenset({0, 5, 33, 35})


# A pytest plugin for the work copy only (loaded through PYTEST_PLUGINS), for what mutmut's
# fork-per-mutant model gets wrong here. mutmut forks each mutant's run from a process that
# has already run the whole suite: the name caches (`functools.lru_cache`) are warm in it, so
# a mutant behind a cache was never called and "survived". And `names` builds its ASCII key
# tables and reserved-name keys at import, with the mutated functions, before any mutant is
# switched on. So every run starts with empty caches, and a run of a `names` mutant first
# re-executes that module (in place: the functions others imported see the new tables).
PLUGIN_NAME = "_mutate_fresh_state"
PLUGIN = '''"""Written by scripts/mutate.py into its work copy; see the comment there."""

import importlib
import os
import sys

RELOADED = ("parley.chat.names",)


def pytest_sessionstart(session):
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    for name in RELOADED:
        if mutant.startswith(name + ".") and name in sys.modules:
            importlib.reload(sys.modules[name])
    for name, module in list(sys.modules.items()):
        if name == "parley" or name.startswith("parley."):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()
'''


# mypy also refuses some mutants for mutmut's own doing, not the mutation's: each mutant of
# an `__init__` repeats its annotated attributes ("Attribute ... already defined"). Those
# are left out of the score (column "untested"): neither killed nor known to survive.
SPURIOUS_TYPE_ERROR = "already defined on line"


@dataclass(frozen=True, slots=True)
class ModuleScore:
    """The verdicts on one module's mutants."""

    module: str
    by_tests: int
    by_mypy: int
    not_killed: int
    unchecked: int
    untested: int = 0

    @property
    def killed(self) -> int:
        return self.by_tests + self.by_mypy

    @property
    def checked(self) -> int:
        return self.killed + self.not_killed

    @property
    def percent(self) -> float:
        """Killed by tests or refused by mypy, of all checked mutants."""
        return 100.0 * self.killed / self.checked if self.checked else 100.0

    @property
    def tests_percent(self) -> float:
        """Killed by tests, of the mutants mypy let through."""
        tried = self.by_tests + self.not_killed
        return 100.0 * self.by_tests / tried if tried else 100.0


def _verdict(code: int | None, type_error: str | None) -> str:
    if code == 37:
        return "untested" if SPURIOUS_TYPE_ERROR in (type_error or "") else "by mypy"
    if code in KILLED:
        return "by tests"
    return "not killed" if code in NOT_KILLED else "unchecked"


def scores(work: Path) -> list[ModuleScore]:
    """Each mutated module's verdicts, from mutmut's `.meta` files."""
    results = []
    base = work / "mutants" / "src"
    for meta in sorted(base.rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        errors = data.get("type_check_error_by_key", {})
        counts = Counter(
            _verdict(code, errors.get(name)) for name, code in data["exit_code_by_key"].items()
        )
        module = ".".join(meta.relative_to(base).with_suffix("").with_suffix("").parts)
        results.append(
            ModuleScore(
                module,
                counts["by tests"],
                counts["by mypy"],
                counts["not killed"],
                counts["unchecked"],
                counts["untested"],
            )
        )
    return [score for score in results if score.checked or score.unchecked]


def table(results: list[ModuleScore]) -> str:
    """The scores as a Markdown table, with the total over all modules."""
    lines = [
        "| module | mutants | killed by tests | refused by mypy | not killed | untested "
        "| unchecked | score | tests alone |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = ModuleScore(
        "**total**",
        sum(s.by_tests for s in results),
        sum(s.by_mypy for s in results),
        sum(s.not_killed for s in results),
        sum(s.unchecked for s in results),
        sum(s.untested for s in results),
    )
    for s in [*results, total]:
        name = s.module if s is total else f"`{s.module}`"
        lines.append(
            f"| {name} | {s.checked + s.unchecked + s.untested} | {s.by_tests} | {s.by_mypy} "
            f"| {s.not_killed} | {s.untested} | {s.unchecked} "
            f"| {s.percent:.1f} % | {s.tests_percent:.1f} % |"
        )
    return "\n".join(lines)


def mutmut() -> str:
    """The mutmut of the interpreter running this script (the project's .venv)."""
    found = shutil.which("mutmut", path=str(Path(sys.executable).parent))
    if found is None:
        sys.exit("mutate: mutmut is not installed; run: .venv/bin/pip install -e '.[mutate]'")
    return found


def sync(work: Path, *, fresh: bool) -> None:
    """Copy the tree's source, tests and configuration into the work folder.

    Modification times are kept, which is how mutmut tells an unchanged file (its old
    mutants and verdicts stand) from an edited one.
    """
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPIED:
        source, target = ROOT / name, work / name
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    (work / "src" / f"{PLUGIN_NAME}.py").write_text(PLUGIN)
    # Tests deleted from the tree must not linger in mutmut's own copy of them.
    stale = work / "mutants" / "tests"
    if stale.is_dir():
        shutil.rmtree(stale)


def not_killed(work: Path) -> list[str]:
    """The names of the mutants whose last verdict was not a kill."""
    names = []
    for meta in sorted((work / "mutants" / "src").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        names += [name for name, code in codes.items() if code in NOT_KILLED]
    return names


def survivors(work: Path) -> str:
    """mutmut's list of the mutants not killed, one a line."""
    done = subprocess.run(
        [mutmut(), "results"], cwd=work, capture_output=True, text=True, check=False
    )
    return done.stdout


def report(work: Path, fail_under: float) -> int:
    """Print and save the scores and survivors; 1 if a fully checked module is too low."""
    results = scores(work)
    if not results:
        print(f"mutate: no results in {work}; run `make mutate` first", file=sys.stderr)
        return 1
    text = table(results)
    (work / "scores.txt").write_text(text + "\n")
    (work / "survivors.txt").write_text(survivors(work))
    print(text)
    print(f"\nscores: {work / 'scores.txt'}   survivors: {work / 'survivors.txt'}")
    print(f"a mutant's diff: python scripts/mutate.py show NAME  (or: cd {work}; mutmut browse)")
    low = [s for s in results if not s.unchecked and s.percent < fail_under]
    for s in low:
        print(f"mutate: {s.module}: {s.percent:.1f} %, under {fail_under:g} %", file=sys.stderr)
    return 1 if low else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("globs", nargs="*", metavar="GLOB|report|show MUTANT")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(os.environ.get("MUTATE_DIR", ROOT / "build" / "mutate")),
        help="work folder (default build/mutate)",
    )
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument(
        "--retest", action="store_true", help="then run the mutants not killed so far again"
    )
    parser.add_argument(
        "--fail-under",
        type=float,
        default=90.0,
        metavar="PERCENT",
        help="lowest accepted score of a module (default 90)",
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    work: Path = args.work.resolve()
    if args.globs[:1] == ["report"]:
        return report(work, args.fail_under)
    if args.globs[:1] == ["show"]:
        show = [mutmut(), "show", *args.globs[1:]]
        return subprocess.run(show, cwd=work, check=False).returncode
    sync(work, fresh=args.fresh)
    command = [mutmut(), "run", "--max-children", str(args.max_children), *args.globs]
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTEST_PLUGINS": PLUGIN_NAME,
    }
    done = subprocess.run(command, cwd=work, env=env, check=False)
    again = [
        name
        for name in (not_killed(work) if args.retest and done.returncode == 0 else [])
        if not args.globs or any(fnmatch.fnmatchcase(name, glob) for glob in args.globs)
    ]
    if again:
        print(f"mutate: retesting {len(again)} mutants that were not killed")
        done = subprocess.run(command[:4] + again, cwd=work, env=env, check=False)
    if done.returncode != 0:
        print(f"mutate: mutmut failed (exit {done.returncode})", file=sys.stderr)
        return done.returncode
    return report(work, args.fail_under)


if __name__ == "__main__":
    sys.exit(main())
