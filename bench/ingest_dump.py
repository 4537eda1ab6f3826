"""Write every record ingestion makes of some files, to diff two versions
of the pipeline (a script, not a test): a speed-up must not change a byte.

For each file (default: the bundled corpus and the development set's
documents) the records ``extract.read_layout`` + ``pipeline.process`` make
are written as JSON lines (file name, then each record's fields) to OUT,
with the document's title, language and warnings. Run it before and after a
change and ``cmp`` the two outputs.

    .venv/bin/python bench/ingest_dump.py OUT [FILE ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def default_files() -> list[Path]:
    corpus = sorted((REPO / "corpus" / "sources").glob("*.txt"))
    devset = sorted(p for p in (REPO / "bench" / "devset" / "docs").iterdir())
    return [*corpus, *devset]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("files", type=Path, nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from corpus.ingestion import extract, pipeline

    with args.out.open("w", encoding="utf-8") as out:
        for path in args.files or default_files():
            start = time.process_time()
            draft = pipeline.process(extract.read_layout(path))
            seconds = time.process_time() - start
            head = {"file": path.name, "title": draft.title, "lang": draft.lang}
            head["warnings"] = draft.warnings
            out.write(json.dumps(head, ensure_ascii=False) + "\n")
            for record in draft.paragraphs:
                row = dataclasses.asdict(record)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            size = path.stat().st_size / 1e6
            print(
                f"{path.name}: {len(draft.paragraphs)} records, {seconds:.2f} s CPU, "
                f"{size:.2f} MB"
            )


if __name__ == "__main__":
    main()
