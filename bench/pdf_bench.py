"""PDF ingestion speed: pdfminer.six + geometry + pipeline, next to pdftotext.

Prints pages per second (median of several runs) for each test PDF and for
one longer real paper, and the same for the reference in the same run:
poppler's ``pdftotext`` (a C program, no geometry handed on) followed by the
text pipeline. Asserts nothing.

    .venv/bin/python bench/pdf_bench.py [--runs 3] [--paper PATH]

The longer paper is ``bench/data/timedep-survival-30p.pdf``, the survival
package's 30-page vignette "Using Time Dependent Covariates" (Therneau, Crowson
and Atkinson; r-cran-survival 3.5-3 in Debian bookworm, LGPL-2+); ``--paper``
times another one.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.ingestion.extract import read_layout  # noqa: E402
from corpus.ingestion.layout import Layout  # noqa: E402
from corpus.ingestion.pipeline import process  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "pdf"
SAMPLES = ["sandwich.pdf", "rcpp-introduction.pdf", "maint-guide-fr.pdf"]


def native(path: Path) -> int:
    """Ingest with pdfminer.six, geometry and the pipeline; the record count."""
    return len(process(read_layout(path)).paragraphs)


def reference(path: Path) -> int:
    """pdftotext's reading-order text (pages split by form feeds), then the
    text pipeline: what ingesting a converter's output costs."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return len(process(Layout.from_text(text.rstrip("\f"))).paragraphs)


def timed(run: Callable[[Path], int], path: Path, runs: int) -> tuple[float, int]:
    """The median wall time of ``runs`` calls, and the records of the last."""
    times, records = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        records = run(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), records


def page_count(path: Path) -> int:
    return len(read_layout(path).pages)


def report(path: Path, runs: int, reference_too: bool) -> None:
    pages = page_count(path)
    seconds, records = timed(native, path, runs)
    line = (
        f"{path.name:28} {pages:3d} pages  native {seconds:6.2f} s "
        f"{pages / seconds:6.1f} pages/s {records:4d} records"
    )
    if reference_too:
        ref_seconds, ref_records = timed(reference, path, runs)
        line += (
            f" | pdftotext+text {ref_seconds:6.2f} s "
            f"{pages / ref_seconds:6.1f} pages/s {ref_records:4d} records"
        )
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--paper",
        type=Path,
        default=Path(__file__).resolve().parent / "data" / "timedep-survival-30p.pdf",
        help="a longer real PDF (~30 pages)",
    )
    args = parser.parse_args()
    has_reference = shutil.which("pdftotext") is not None
    if not has_reference:
        print("pdftotext not found (apt-get install poppler-utils): native only")
    print(f"median of {args.runs} runs; extraction + geometry + pipeline")
    process("Warm up the lexicon and the language models.")
    for name in SAMPLES:
        report(DATA / name, args.runs, has_reference)
    if args.paper.is_file():
        report(args.paper, args.runs, has_reference)
    else:
        print(f"{args.paper}: no such file")


if __name__ == "__main__":
    main()
