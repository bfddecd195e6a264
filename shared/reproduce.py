"""The one command line of every paper's reproduction: `python -m <paper>.reproduce --profile P`.

A paper's `reproduce.py` supplies one function per profile and hands them to `main`:

    from shared.reproduce import Run, main

    def smoke(run: Run) -> dict: ...    # CPU, about a minute, generated data
    def dryrun(run: Run) -> dict: ...   # the full path at paper shapes, generated data, a few steps
    def full(run: Run) -> dict: ...     # the paper's recipe on the real data

    if __name__ == "__main__":
        main(__doc__, {"smoke": smoke, "dryrun": dryrun, "full": full})

The harness owns the rest:
- the flags: --profile, --out (default runs/<paper>/<profile>), --data-root, --weights-root, --fresh/--resume;
- the fresh-run rule: smoke and dryrun start fresh, full resumes what its folder holds; a fresh run empties the
  folder (only a folder this harness made, which holds its marker) but keeps `data/`, the generated data;
- the console: one line per step of the pipeline (`run.step`), every detail in `<out>/log.txt`; on a terminal
  a command's newest output line (its progress bar) is shown in place while it runs, then cleared;
- the results: the profile's dict goes to `<out>/results.json`, its table to `<out>/results.md`. A dict with
  `rows` (a list of dicts) is shown as that table; otherwise its scalar entries are.
A missing dataset or weight file stops the run with exit status 2 and the command that prepares it (`run.require`).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from shared import paths
from shared.results import markdown_table
from shared.runlog import merge_results
from shared.status_line import StatusLine

MARKER = ".reproduce"  # written into every output folder the harness makes; only such folders are ever emptied
LOG_FILE = "log.txt"
KEPT_ON_FRESH = ("data", LOG_FILE)  # generated data is slow to make and does not depend on the run
FRESH_BY_DEFAULT = {"smoke": True, "dryrun": True, "full": False}

Profile = Callable[["Run"], dict[str, Any]]


class MissingInputs(Exception):
    """Raised by `Run.require`: the files a profile needs are not there."""


class StepFailed(Exception):
    """A step of the pipeline failed; its output is in the log file."""


@dataclass
class Run:
    """What a profile function gets: where to write, where the data and weights are, and the console."""

    paper: str
    profile: str
    out: Path
    data_root: Path
    weights_root: Path
    fresh: bool
    args: argparse.Namespace = field(default_factory=argparse.Namespace)  # the paper's own flags
    console: TextIO = field(default=sys.stdout, repr=False)

    @property
    def log_path(self) -> Path:
        return self.out / LOG_FILE

    def dataset(self, name: str) -> Path:
        """The folder of dataset `name` under the data root (shared by every paper that reads it)."""
        return self.data_root / name

    def weights(self, *parts: str) -> Path:
        return self.weights_root.joinpath(*parts)

    def say(self, message: str) -> None:
        """One line for the person at the console (and the log)."""
        print(f"[{self.paper}] {message}", file=self.console, flush=True)
        self.log(message)

    def log(self, message: str) -> None:
        with self.log_path.open("a") as f:
            f.write(message.rstrip("\n") + "\n")

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """A step of the pipeline: one console line when it starts and one when it ends."""
        self.say(f"{name} ...")
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            self.say(f"{name} failed after {time.perf_counter() - start:.1f} s; details in {self.log_path}")
            raise
        self.say(f"{name} done in {time.perf_counter() - start:.1f} s")

    def sh(self, cmd: Sequence[str], env: dict[str, str] | None = None) -> None:
        """Run a command with its output appended to the log; on a terminal its newest line (a progress bar)
        is shown in place while it runs. On failure, show the output's tail."""
        self.log("+ " + " ".join(map(str, cmd)))
        status = StatusLine(self.console, prefix="  ") if self.console.isatty() else None
        # unbuffered children: their lines reach the log (and the status line) as they are written
        child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        with self.log_path.open("ab") as log:
            proc = subprocess.Popen(list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=child_env)
            try:
                for chunk in iter(lambda: proc.stdout.read1(1 << 16), b""):
                    log.write(chunk)
                    log.flush()
                    if status:
                        status.feed(chunk)
            finally:
                returncode = proc.wait()
                if status:
                    status.clear()
        if returncode != 0:
            tail = self.log_path.read_text(errors="replace").splitlines()[-30:]
            print("\n".join(tail), file=self.console)
            raise StepFailed(f"{cmd[0]} exited with status {returncode}; see {self.log_path}")

    def require(self, files: Sequence[Path], prepare: str) -> None:
        """Stop with the prepare command when any of `files` is missing."""
        missing = [str(f) for f in files if not Path(f).exists()]
        if missing:
            shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
            raise MissingInputs(f"missing {shown}\nprepare with:\n  {prepare}")


def _paper_of(profiles: dict[str, Profile]) -> str:
    module = inspect.getmodule(next(iter(profiles.values())))
    name = getattr(module, "__spec__", None) and module.__spec__.name or module.__name__
    return name.split(".")[0]


def parser_for(paper: str, doc: str, profiles: dict[str, Profile]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {paper}.reproduce", description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=list(profiles), default="full" if "full" in profiles else next(iter(profiles)))
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default runs/{paper}/<profile>)")
    parser.add_argument("--data-root", type=Path, default=None,
                        help=f"datasets, one folder each (default ${paths.DATA_ENV} or {paths.DEFAULT_DATA})")
    parser.add_argument("--weights-root", type=Path, default=None,
                        help=f"pretrained weights (default ${paths.WEIGHTS_ENV} or {paths.DEFAULT_WEIGHTS})")
    fresh = parser.add_mutually_exclusive_group()
    fresh.add_argument("--fresh", dest="fresh", action="store_true", default=None,
                       help="start from scratch (default for smoke and dryrun)")
    fresh.add_argument("--resume", dest="fresh", action="store_false",
                       help="continue what the output folder holds (default for full)")
    return parser


def prepare_out(out: Path, fresh: bool) -> None:
    """Create the output folder; when `fresh`, empty it first (never a folder the harness did not make)."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SystemExit(f"error: {out} is not empty and was not made by a reproduction; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    if fresh:
        for child in out.iterdir():
            if child.name in KEPT_ON_FRESH or child.name == MARKER:
                continue
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        (out / LOG_FILE).write_text("")
    (out / MARKER).write_text("made by shared.reproduce; a fresh run empties this folder except data/\n")


def results_table(results: dict[str, Any]) -> str:
    rows = results.get("rows")
    if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
        return markdown_table(rows)
    scalars = [{"key": k, "value": v} for k, v in results.items() if isinstance(v, (int, float, str, bool)) or v is None]
    return markdown_table(scalars, ["key", "value"])


def main(doc: str | None, profiles: dict[str, Profile], argv: Sequence[str] | None = None,
         add_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> dict[str, Any]:
    """Parse the command line, run the chosen profile, write results.json and results.md.

    `add_arguments` adds the paper's own flags (read back as `run.args`).
    """
    paper = _paper_of(profiles)
    parser = parser_for(paper, doc or "", profiles)
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    fresh = FRESH_BY_DEFAULT.get(args.profile, True) if args.fresh is None else args.fresh
    out = args.out or Path("runs") / paper / args.profile
    # configs read the roots through shared.paths, so one flag moves every dataset and weight file
    if args.data_root is not None:
        os.environ[paths.DATA_ENV] = str(args.data_root)
    if args.weights_root is not None:
        os.environ[paths.WEIGHTS_ENV] = str(args.weights_root)
    prepare_out(out, fresh)
    run = Run(paper=paper, profile=args.profile, out=out, data_root=paths.data_root(),
              weights_root=paths.weights_root(), fresh=fresh, args=args, console=sys.stdout)
    run.say(f"{args.profile} profile into {out} ({'fresh' if fresh else 'resuming'}); log: {run.log_path}")
    start = time.perf_counter()
    try:
        # details (prints of the paper's code) go to the log; `run.say` and progress bars (stderr) stay on the console
        with run.log_path.open("a") as log, contextlib.redirect_stdout(log):
            results = profiles[args.profile](run)
    except MissingInputs as err:
        print(f"[{paper}] {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except StepFailed as err:
        print(f"[{paper}] {err}", file=sys.stderr)
        raise SystemExit(1) from None
    results = {**results, "profile": args.profile, "wall_time_s": round(time.perf_counter() - start, 1)}
    merge_results(out, results)
    table = results_table(results)
    (out / "results.md").write_text(table + "\n")
    print(table)
    run.say(f"{args.profile} finished in {results['wall_time_s']} s: {out / 'results.json'}, {out / 'results.md'}")
    return results
