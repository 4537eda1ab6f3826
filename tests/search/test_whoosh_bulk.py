"""The bulk writer (``search.whoosh_backend.bulk``) against Whoosh's own writer: the
same records must give the same index, file by file, posting by posting, and
the same search results, with one process, several, and several segments."""

from __future__ import annotations

import io
import pickle
import random
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from whoosh import index

from search import whoosh_backend
from search.backend import IndexRecord
from search.whoosh_backend import WhooshBackend, make_schema, to_document
from search.whoosh_backend import bulk as whoosh_bulk
from tests.search.contract import A, MemorySource, record

# Words with what the analysis must get right: stems shared by several words
# (cooperation/cooperating), accents folded (sécurité), ligatures (ﬁnal, Œuvre),
# inner dots (U.S., 9.11), digits, a word repeated in a record (positions).
WORDS = (
    "security cooperation cooperating cooperative border borders distrust "
    "Canada Mexico U.S. 9.11 2001 sovereignty bilateralism perimeter ﬁnal "
    "Œuvre Domínguez la souveraineté du sécurité coopération frontière les "
    "États-Unis naïve café straße the of and in a"
).split()
KINDS = ("paragraph", "footnote", "reference", "heading", "meta")
THEMES = ("sovereignty", "distrust", "bilateralism")
QUERIES = (
    "security",  # in most records: postings over several blocks of 128
    "cooperation",  # a stem several words share
    "securite",  # accents folded
    "souveraineté",
    "final",  # the ﬁ ligature
    '"security cooperation"',  # a phrase: positions
    '"the border"',
    "coop*",  # a prefix on the unstemmed field
    "canada OR mexico",
    "border -distrust",
    "securty",  # a typo, corrected from the index's words
    "theme:sovereignty cooperation",
    "kind:footnote security",
    "lang:fr coopération",
    "U.S.",
    "2001",
)


def corpus(count: int, seed: int = 7) -> list[IndexRecord]:
    """Varied records: lengths from one word to hundreds (field lengths
    above and below the writer's cache limit), every kind (document boosts),
    three languages, themes, several documents, titles and sections."""
    rng = random.Random(seed)
    records = []
    for i in range(1, count + 1):
        size = rng.choice((1, 2, 5, 12, 40, 90, 200))
        words = [rng.choice(WORDS) for _ in range(size)]
        if i % 3:
            words[rng.randrange(size)] = "security"
        records.append(
            record(
                i,
                " ".join(words) + rng.choice((".", "", " — 12 x2 release 4.2")),
                kind=rng.choice(KINDS),
                lang=rng.choice(("en", "en", "fr", "es", "")),
                themes=tuple(sorted(rng.sample(THEMES, rng.randint(0, 2)))),
                document=f"doc-{i // 40}",
                document_order=f"{i // 40:03d}.txt",
                title=rng.choice(("A paper on North America", "Sécurité", "")),
                authors=rng.choice((("Ana Ortiz",), ("R. Domínguez", "B. Lee"), ())),
                section=rng.choice(("", "Introduction", f"Section {i // 25}")),
            )
        )
    return records


RECORDS = corpus(420)


def plain_fill(ix: index.Index, records: Any) -> int:
    """Whoosh's own writer, one process, one segment."""
    writer = ix.writer()
    count = 0
    for item in records:
        writer.add_document(**to_document(item))
        count += 1
    writer.commit()
    return count


def backend_pair(tmp_path: Path, **fast: Any) -> tuple[WhooshBackend, WhooshBackend]:
    source = MemorySource(RECORDS)
    plain = WhooshBackend(tmp_path / "plain", source)
    plain._fill = plain_fill  # type: ignore[method-assign]
    plain.rebuild()
    bulk = WhooshBackend(tmp_path / "bulk", source, **fast)
    bulk.rebuild()
    return plain, bulk


def segment_files(backend: WhooshBackend) -> list[dict[str, bytes]]:
    """Each segment's files (inside its compound file), by extension."""
    ix = backend._open()
    files = []
    for segment in ix._segments():
        compound = segment.open_compound_file(ix.storage)
        prefix = segment.make_filename("")
        files.append(
            {
                name[len(prefix) :]: compound.open_file(name).read()
                for name in compound.list()
            }
        )
        compound.close()
    return files


def test_one_process_writes_whooshs_segment(tmp_path) -> None:
    """The same files; the same bytes, but for the postings (and the term
    dictionary's offsets into them): a block's pickle may be shorter, as
    equal posting values are shared objects (pickled once, then referenced),
    so the postings are compared decoded, block by block."""
    plain, bulk = backend_pair(tmp_path)
    [plain_files] = segment_files(plain)
    [bulk_files] = segment_files(bulk)
    assert set(bulk_files) == set(plain_files)
    assert {".trm", ".pst", "._stored.col", "._raw_len.col"} <= set(plain_files)
    for name in sorted(set(plain_files) - {".trm", ".pst"}):
        assert bulk_files[name] == plain_files[name], name
    plain_reader, bulk_reader = plain._open().reader(), bulk._open().reader()
    terms = list(plain_reader.all_terms())
    assert list(bulk_reader.all_terms()) == terms
    for field, term in terms:
        mine = bulk_reader.term_info(field, term)
        whooshs = plain_reader.term_info(field, term)
        assert term_statistics(mine) == term_statistics(whooshs), (field, term)
        assert blocks(bulk_files[".pst"], mine) == blocks(
            plain_files[".pst"], whooshs
        ), (field, term)
    plain_reader.close()
    bulk_reader.close()


def term_statistics(info: Any) -> tuple[Any, ...]:
    return (
        info.weight(),
        info.doc_frequency(),
        info.min_length(),
        info.max_length(),
        info.max_weight(),
        info.min_id(),
        info.max_id(),
        info.is_inlined(),
    )


def blocks(postings: bytes, info: Any) -> list[tuple[Any, Any, bool]]:
    """A term's posting blocks: (block info, decoded data, last block?); the
    compression level aside (the bulk writer leaves small blocks as they are)."""
    offset, (length,) = info.extent()
    data, position, found = postings[offset : offset + length], 4, []
    assert data[:4] == b"W3Bl"
    while position < len(data):
        (size,) = struct.unpack("!i", data[position : position + 4])
        stream = io.BytesIO(data[position + 4 : position + 4 + abs(size)])
        block_info = pickle.load(stream)
        payload = stream.read()
        payload = zlib.decompress(payload) if block_info[3] else payload
        data_tuple = pickle.loads(payload)
        if not block_info[3]:
            assert len(payload) < whoosh_bulk.SMALL_BLOCK  # left small: uncompressed
        info_aside = block_info[:3] + block_info[4:]
        found.append((info_aside, data_tuple, size < 0))
        position += 4 + abs(size)
    return found


def everything(backend: WhooshBackend) -> dict[str, Any]:
    """What a reader of the whole index sees: every term's statistics and
    postings (global document numbers), stored fields, columns, lengths."""
    schema = make_schema()
    with backend._open().searcher() as searcher:
        reader = searcher.reader()
        postings = {}
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            matcher = reader.postings(field, term)
            found = []
            while matcher.is_active():
                found.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            postings[field, term] = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                found,
            )
        docs = range(reader.doc_count_all())
        return {
            "postings": postings,
            "stored": list(reader.all_stored_fields()),
            "columns": {
                name: list(reader.column_reader(name, translate=False))
                for name, field in schema.items()
                if field.column_type
            },
            # A document without the field reads None where its segment has
            # the field's length column, the default (0) where it has none
            # (a segment where no document has it): Whoosh's own quirk, which
            # depends only on where segments end.
            "lengths": {
                name: (
                    reader.field_length(name),
                    [reader.doc_field_length(d, name) or None for d in docs],
                )
                for name in schema.scorable_names()
            },
        }


def search_results(backend: WhooshBackend) -> list[Any]:
    pages = []
    for query in QUERIES:
        for sort in ("relevance", "document"):
            page = backend.search(query, project=A, page_size=50, sort=sort)
            pages.append(
                (
                    query,
                    sort,
                    [
                        (h.id, round(h.score, 9), h.highlight, h.themes)
                        for h in page.hits
                    ],
                    page.total,
                    page.facets,
                    page.corrected_query,
                )
            )
    return pages


@pytest.mark.parametrize(
    "procs, bytes_per_posting, segments",
    [
        (1, 1, 1),  # one segment
        (3, whoosh_bulk.BYTES_PER_POSTING, 3),  # one segment per process
        (2, 1024 * 1024 // 3000, 5),  # a new segment past 3,000 postings or words
    ],
)
def test_the_bulk_index_reads_and_searches_as_whooshs(
    tmp_path, monkeypatch, procs, bytes_per_posting, segments
) -> None:
    monkeypatch.setattr(whoosh_backend, "SMALL_BUILD", 100)
    monkeypatch.setattr(whoosh_bulk, "BYTES_PER_POSTING", bytes_per_posting)
    plain, bulk = backend_pair(tmp_path, procs=procs, memory_mb=1)
    assert len(bulk._open()._segments()) >= segments
    mine, whooshs = everything(bulk), everything(plain)
    assert mine["postings"].keys() == whooshs["postings"].keys()
    for key, expected in whooshs["postings"].items():
        assert mine["postings"][key] == expected, key
    for part in ("stored", "columns", "lengths"):
        assert mine[part] == whooshs[part], part
    results = search_results(bulk)
    assert results == search_results(plain)
    assert sum(1 for page in results if page[3] > 128) >= 2  # multi-block terms


def test_a_failing_indexing_process_fails_the_rebuild(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(whoosh_backend, "SMALL_BUILD", 100)
    broken = RECORDS[:300] + [record(999, 12345)]  # type: ignore[arg-type]
    backend = WhooshBackend(tmp_path / "index", MemorySource(broken), procs=2)
    with pytest.raises(RuntimeError, match="an indexing process failed"):
        backend.rebuild()
    assert not list((tmp_path / "index").glob("build-*"))  # removed, not switched to
