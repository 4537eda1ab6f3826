"""Score ingestion on the development set (a script, not a test).

For every document in ``bench/devset/docs/`` with checks in
``bench/devset/checks.json``, Gloss's records are made as ingestion makes them
(``extract.read_layout`` when it exists, else ``extract.read_text``, then
``pipeline.process``) and so are the naive baseline's (the extracted text split
on blank lines, nothing cleaned; ``pdftotext`` output for PDFs). Every check
gets a verdict on both. A document Gloss cannot read fails all its checks; the
error is printed. Prints passed/total per document, per check class and
overall; asserts nothing.

    .venv/bin/python bench/devset_bench.py [--verbose] [--doc NAME] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEVSET = REPO / "bench" / "devset"
sys.path.insert(0, str(REPO))

from bench.devset import scoring  # noqa: E402


def gloss_document(path: Path) -> scoring.Document:
    """Gloss's records for one file, through whichever reader exists."""
    try:
        from corpus.ingestion import extract, pipeline
    except Exception:  # an import needing Django: set it up, then retry
        _setup_django()
        from corpus.ingestion import extract, pipeline
    reader: Callable[[Path], Any] = getattr(extract, "read_layout", None) or (
        extract.read_text
    )
    return pipeline.process(reader(path))


def _setup_django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def baseline_document(path: Path) -> scoring.Document | None:
    """The naive baseline's records, or None when the text cannot be had."""
    text = scoring.reference_text(path)
    return None if text is None else scoring.naive_records(text)


def score(
    make: Callable[[Path], scoring.Document | None],
    path: Path,
    checks: list[scoring.Check],
) -> dict[str, Any]:
    """One system's verdicts on one document, with its error and timing."""
    start = time.perf_counter()
    try:
        document = make(path)
        error = None if document is not None else "no text (pdftotext absent?)"
    except Exception as exc:  # one document's failure is reported, not fatal
        document, error = None, f"{type(exc).__name__}: {exc}"
    if document is None:
        verdicts = [scoring.Verdict(c, False, f"not read: {error}") for c in checks]
    else:
        verdicts = [scoring.evaluate(c, document) for c in checks]
    return {
        "error": error,
        "seconds": round(time.perf_counter() - start, 3),
        "records": len(document.paragraphs) if document is not None else 0,
        "verdicts": verdicts,
    }


def run(checks: dict[str, list[scoring.Check]]) -> dict[str, dict[str, Any]]:
    """Verdicts per document and system (Gloss, then the naive baseline)."""
    results: dict[str, dict[str, Any]] = {}
    for name, doc_checks in checks.items():
        path = DEVSET / "docs" / name
        results[name] = {
            "checks": len(doc_checks),
            "gloss": score(gloss_document, path, doc_checks),
            "naive": score(baseline_document, path, doc_checks),
        }
    return results


def _pct(passed: int, total: int) -> str:
    return f"{100 * passed / total:5.1f}%" if total else "    -"


def _row(label: str, total: int, gloss: int, naive: int, width: int) -> str:
    return (
        f"{label:<{width}} {total:>6} {gloss:>6} {_pct(gloss, total)} "
        f"{naive:>6} {_pct(naive, total)}"
    )


def _header(first: str, width: int) -> str:
    line = f"{first:<{width}} {'checks':>6} {'gloss':>6} {'':>6} {'naive':>6} {'':>6}"
    return line + "\n" + "-" * len(line)


def _passed(entry: dict[str, Any], system: str, cls: str | None = None) -> int:
    return sum(
        v.passed for v in entry[system]["verdicts"] if cls is None or v.check.cls == cls
    )


def report(results: dict[str, dict[str, Any]], verbose: bool) -> None:
    """Print the tables: per document, per class, overall."""
    width = max([len(n) for n in results] + [29])
    print(_header("document", width))
    for name, entry in results.items():
        print(
            _row(
                name,
                entry["checks"],
                _passed(entry, "gloss"),
                _passed(entry, "naive"),
                width,
            )
        )
    print()
    print(_header("class", width))
    for cls in scoring.CLASSES:
        total = sum(
            1
            for e in results.values()
            for v in e["gloss"]["verdicts"]
            if v.check.cls == cls
        )
        gloss = sum(_passed(e, "gloss", cls) for e in results.values())
        naive = sum(_passed(e, "naive", cls) for e in results.values())
        print(_row(cls, total, gloss, naive, width))
    total = sum(e["checks"] for e in results.values())
    gloss = sum(_passed(e, "gloss") for e in results.values())
    naive = sum(_passed(e, "naive") for e in results.values())
    print("-" * (width + 35))
    print(_row("overall", total, gloss, naive, width))
    read = [e for e in results.values() if not e["gloss"]["error"]]
    if len(read) < len(results):
        print(
            _row(
                "overall, documents Gloss read",
                sum(e["checks"] for e in read),
                sum(_passed(e, "gloss") for e in read),
                sum(_passed(e, "naive") for e in read),
                width,
            )
        )
    _report_errors(results)
    if verbose:
        _report_failures(results)


def _report_errors(results: dict[str, dict[str, Any]]) -> None:
    errors = [
        (name, system, entry[system]["error"])
        for name, entry in results.items()
        for system in ("gloss", "naive")
        if entry[system]["error"]
    ]
    if errors:
        print("\nnot read (all their checks count as failed):")
    for name, system, error in errors:
        print(f"  {system:<5} {name}: {error}")


def _report_failures(results: dict[str, dict[str, Any]]) -> None:
    for name, entry in results.items():
        gloss = entry["gloss"]
        failed = [v for v in gloss["verdicts"] if not v.passed]
        print(
            f"\n== {name}: {len(failed)} of {entry['checks']} failed for gloss "
            f"({gloss['records']} records)"
        )
        if gloss["error"]:
            print(f"  not read: {gloss['error']}")
            continue
        for verdict in failed:
            print(f"  FAIL {verdict.check.describe()}")
            print(f"       found: {verdict.found}")


def to_json(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The results without objects: one row per check and system."""
    out: dict[str, Any] = {"documents": {}}
    for name, entry in results.items():
        doc: dict[str, Any] = {"checks": entry["checks"]}
        for system in ("gloss", "naive"):
            part = entry[system]
            doc[system] = {
                "error": part["error"],
                "seconds": part["seconds"],
                "records": part["records"],
                "passed": sum(v.passed for v in part["verdicts"]),
                "verdicts": [
                    {
                        "index": v.check.index,
                        "class": v.check.cls,
                        **v.check.fields,
                        "passed": v.passed,
                        "found": v.found,
                    }
                    for v in part["verdicts"]
                ],
            }
        out["documents"][name] = doc
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print every check Gloss fails, with what it found",
    )
    parser.add_argument("--doc", help="score only this document (file name)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args(argv)
    checks = scoring.load_checks(DEVSET / "checks.json")
    if args.doc:
        if args.doc not in checks:
            parser.error(f"no checks for {args.doc!r}; known: {', '.join(checks)}")
        checks = {args.doc: checks[args.doc]}
    results = run(checks)
    report(results, args.verbose)
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=1, ensure_ascii=False))
        print(f"\nresults written to {args.json}")


if __name__ == "__main__":
    main()
