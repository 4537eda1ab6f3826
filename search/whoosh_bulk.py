"""Bulk indexing for Whoosh: a new build's segments written straight from records.

Part of the Whoosh engine (only ``whoosh_backend`` imports it). Whoosh's own
writer spends most of a full build on bookkeeping per posting: a tuple into
a pool, a sort of every tuple, then per posting a call with type checks and a
read of the document's field length from the segment being written. This
writer keeps each field's postings in memory, per term, as arrays already in
document order (documents are numbered as they come), so only the term
dictionary is sorted; it writes the same files through Whoosh's own codec
objects, block by block. The segments hold exactly what Whoosh's
``SegmentWriter`` writes for the same documents (``tests/search/
test_whoosh_bulk.py`` compares them posting by posting, and searches).

Analysis of the text fields (``AnalysedText``) is done once per record: the
words are found once, folded once per distinct word, and each language's
stems come from the folded words, not from the text again.

With several processes the records are split into contiguous runs, one per
process. The processes are forked, so the records are not pickled; each
writes its own segments into the build and sends back only their
descriptions, and the parent lists them in a new TOC in record order, so
document numbers follow the records' order as with one process. No segment
is merged: a merge would read back and rewrite every posting.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from whoosh import fields, index
from whoosh.codec import default_codec
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

from search import analysis

Document = Mapping[str, Any]  # ``add_document`` keywords, ``to_document``'s result
Posting = tuple[bytes, int, float, bytes]  # term, frequency, weight, value
# Postings of one term: document numbers, weights, non-empty values.
TermPostings = tuple[array, array, list[bytes]]

# Estimated bytes of memory per posting held (arrays, values, dictionaries),
# to turn ``limitmb`` into a segment size: past it a segment is written out
# and the next one begun, so memory stays bounded on any corpus.
BYTES_PER_POSTING = 40
# Values of short fields (ids, kinds, titles, sections) recur across records:
# their postings are computed once per distinct value.
CACHED_VALUE_CHARS = 256


class _Words:
    """Folded words and their positions, for the text fields of one record.

    The text fields of a record (``raw`` and ``text_<lang>``) get the same
    string: the words are found and folded once for all of them.
    """

    def __init__(self) -> None:
        self.folded = _Memo(analysis.fold)
        self.stems = {
            lang: _Memo(analysis.stemmer(lang)) for lang in analysis.STEMMED_LANGUAGES
        }
        self._text: str | None = None
        self._positions: dict[str, list[int]] = {}

    def positions(self, text: str) -> dict[str, list[int]]:
        """Folded word -> its positions (word numbers) in ``text``."""
        if text is not self._text:
            folded = self.folded
            positions: dict[str, list[int]] = {}
            for position, word in enumerate(analysis.TOKEN_RE.findall(text)):
                term = folded[word]
                where = positions.get(term)
                if where is None:
                    positions[term] = [position]
                else:
                    where.append(position)
            self._text, self._positions = text, positions
        return self._positions

    def terms(self, text: str, lang: str) -> dict[str, list[int]]:
        """Indexed term -> positions, as ``analysis.normalise(word, lang)``
        gives the terms (stems of the folded words; folded words in ``xx``)."""
        folded = self.positions(text)
        stems = self.stems.get(lang)
        if stems is None:
            return folded
        terms: dict[str, list[int]] = {}
        for word, where in folded.items():
            stem = stems[word]
            have = terms.get(stem)
            if have is None:
                terms[stem] = where
            else:  # several words, one stem: positions in text order
                terms[stem] = sorted(have + where)
        return terms


class _Memo(dict):  # type: ignore[type-arg]
    """A dict that computes missing values: a hit is one C-level lookup."""

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: str) -> str:
        value = self[key] = self.compute(key)
        return value


class _Analyser:
    """Every field's postings for one value, as ``field.index(value)`` gives
    them (order aside), computed faster for ``AnalysedText`` fields."""

    def __init__(self, schema: fields.Schema, text_fields: Mapping[str, str]) -> None:
        self.schema = schema
        self.text_fields = text_fields  # field name -> analysis language
        self.words = _Words()
        self.cache: dict[tuple[str, Any], list[Posting]] = {}
        self.single_positions: list[bytes] = []

    def postings(self, name: str, field: Any, value: Any) -> list[Posting]:
        key = _cache_key(value)
        if key is None or field.unique:
            return self._compute(name, field, value)
        cached = self.cache.get((name, key))
        if cached is None:
            cached = self.cache[name, key] = self._compute(name, field, value)
        return cached

    def _compute(self, name: str, field: Any, value: Any) -> list[Posting]:
        lang = self.text_fields.get(name)
        if lang is None or not isinstance(value, str):
            return list(field.index(value))
        boost = field.format.field_boost
        terms = self.words.terms(value, lang)
        if field.format.supports("positions"):
            encode = self._encode_positions
            return [
                (term.encode("utf-8"), len(where), len(where) * boost, encode(where))
                for term, where in terms.items()
            ]
        return [
            (term.encode("utf-8"), len(where), len(where) * boost, _FREQUENCY[len(where)])
            if len(where) < len(_FREQUENCY)
            else (term.encode("utf-8"), len(where), len(where) * boost, pack_uint(len(where)))
            for term, where in terms.items()
        ]

    def _encode_positions(self, where: list[int]) -> bytes:
        """``formats.Positions.encode``; a word's only position from a table."""
        if len(where) == 1:
            singles = self.single_positions
            position = where[0]
            while len(singles) <= position:
                singles.append(_POSITIONS.encode([len(singles)]))
            return singles[position]
        return _POSITIONS.encode(where)


_POSITIONS = fields.TEXT().format  # Whoosh's Positions format (its encoder)
_FREQUENCY = [pack_uint(n) for n in range(256)]  # Frequency values: pack_uint(freq)


def _cache_key(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= CACHED_VALUE_CHARS else None
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


class _SegmentBuilder:
    """Writes documents into segments of ``storage``, one per ``limit``
    postings held, as Whoosh's ``SegmentWriter.add_document`` would."""

    def __init__(
        self, ix: index.Index, text_fields: Mapping[str, str], limitmb: int
    ) -> None:
        self.storage, self.indexname, self.schema = ix.storage, ix.indexname, ix.schema
        self.codec = default_codec()
        self.analyser = _Analyser(self.schema, text_fields)
        self.limit = max(1, limitmb * 1024 * 1024 // BYTES_PER_POSTING)
        self.segments: list[Any] = []
        self._begin()

    def _begin(self) -> None:
        self.segment = self.codec.new_segment(self.storage, self.indexname)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self.terms: dict[str, dict[bytes, TermPostings]] = {}
        self.lengths: dict[str, list[int]] = {}  # field -> length byte per doc
        self.docnum = 0
        self.held = 0  # postings in memory

    def add(self, document: Document) -> None:
        """``SegmentWriter.add_document(**document)``, field by field."""
        schema, perdoc, docnum = self.schema, self.perdoc, self.docnum
        docboost = float(document.get("_boost", 1.0))
        names = sorted(name for name in document if not name.startswith("_"))
        perdoc.start_doc(docnum)
        for name in names:
            value = document[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                boost = float(document.get(f"_{name}_boost", docboost))
                length = self._post(name, field, value, boost)
            stored = document.get(f"_stored_{name}", value)
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                value = field.to_column_value(stored)
                perdoc.add_column_value(name, field.column_type, value)
        perdoc.finish_doc()
        self.docnum += 1
        if self.held >= self.limit:
            self.finish()
            self._begin()

    def _post(self, name: str, field: Any, value: Any, boost: float) -> int:
        """Hold the field's postings; its length if the field is scorable."""
        terms = self.terms.get(name)
        if terms is None:
            terms = self.terms[name] = {}
        docnum, length = self.docnum, 0
        postings = self.analyser.postings(name, field, value)
        for term, freq, weight, value_bytes in postings:
            held = terms.get(term)
            if held is None:
                held = terms[term] = (array("I"), array("d"), [])
            held[0].append(docnum)
            held[1].append(weight * boost)
            if value_bytes:
                held[2].append(value_bytes)
            length += freq
        self.held += len(postings)
        if not field.scorable:
            return 0
        if length:
            lengths = self.lengths.get(name)
            if lengths is None:
                lengths = self.lengths[name] = []
            lengths.extend([0] * (docnum + 1 - len(lengths)))
            lengths[docnum] = length_to_byte(length)
        return length

    def finish(self) -> None:
        """Write the held postings and close the segment (if it has documents)."""
        self.perdoc.close()
        if not self.docnum:
            return  # nothing added since the last segment: leave no files
        writer = self.codec.field_writer(self.storage, self.segment)
        for name in sorted(self.terms):
            writer.start_field(name, self.schema[name])
            lengths = _field_lengths(self.lengths.get(name), self.docnum)
            terms = self.terms[name]
            for term in sorted(terms):
                writer.start_term(term)
                _write_postings(writer._postwriter, terms[term], lengths)
                writer.finish_term()
            writer.finish_field()
        writer.close()
        self.terms = {}
        self.segment.set_doc_count(self.docnum)
        self.segment.create_compound_file(self.storage)  # as SegmentWriter does
        self.segments.append(self.segment)


def _field_lengths(length_bytes: list[int] | None, doccount: int) -> list[int] | None:
    """Per document, the field length Whoosh's ``add_postings`` sees when it
    writes a segment: the length byte decoded, 0 for a zero byte (Whoosh
    reads None and skips it), None when no document has a length."""
    if length_bytes is None:
        return None
    padded = length_bytes + [0] * (doccount - len(length_bytes))
    return [byte_to_length(b) if b else 0 for b in padded]


def _write_postings(
    postwriter: Any, held: TermPostings, lengths: list[int] | None
) -> None:
    """One term's postings, in Whoosh's blocks (``W3PostingsWriter``): its
    buffers filled a block at a time instead of a posting at a time. The
    last block is left buffered for ``finish_term`` to write, as Whoosh's
    writer leaves it."""
    docs, weights, values = held
    assert len(values) in (0, len(docs)), "a field's postings all have values or none"
    count, size = len(docs), postwriter._blocklimit
    for start in range(0, count, size):
        end = min(count, start + size)
        block_docs = docs[start:end]
        block_weights = weights[start:end]
        postwriter._ids = block_docs
        postwriter._weights = array("f", block_weights.tolist())
        postwriter._values = values[start:end]
        postwriter._maxweight = max(0, max(block_weights))
        if lengths is None:
            postwriter._minlength, postwriter._maxlength = None, 0
        else:
            block_lengths = [lengths[d] for d in block_docs]
            known = [n for n in block_lengths if n]
            postwriter._minlength = min(known) if known else None
            postwriter._maxlength = max(block_lengths)
        if end < count:
            postwriter._write_block()


def _build_run(
    ix: index.Index,
    records: Iterable[Any],
    to_document: Callable[[Any], Document],
    text_fields: Mapping[str, str],
    limitmb: int,
) -> list[Any]:
    builder = _SegmentBuilder(ix, text_fields, limitmb)
    for record in records:
        builder.add(to_document(record))
    builder.finish()
    return builder.segments


def write_index(
    ix: index.Index,
    records: Sequence[Any],
    to_document: Callable[[Any], Document],
    text_fields: Mapping[str, str],
    procs: int = 1,
    limitmb: int = 1024,
) -> int:
    """Index ``records`` into the new, empty index ``ix`` (its first commit).

    ``to_document`` gives a record's ``add_document`` keywords;
    ``text_fields`` names the ``AnalysedText`` fields with their analysis
    language. ``procs`` processes each index a contiguous run of the records,
    with ``limitmb`` of postings in memory each. Returns the record count.
    """
    schema = ix.schema
    for name, field in schema.items():
        if field.vector or field.separate_spelling():  # not written here
            raise ValueError(f"field {name!r}: vectors and spelling are not supported")
    runs = _runs(records, max(1, procs))
    children = [_start(ix, run, to_document, text_fields, limitmb) for run in runs[1:]]
    try:
        segments = _build_run(ix, runs[0], to_document, text_fields, limitmb)
        for process, connection in children:
            segments += _result(process, connection)
    except BaseException:
        for process, _ in children:
            process.terminate()
            process.join()
        raise
    finally:
        # The per-document writers' scratch directory (SegmentWriter removes
        # the same one when it finishes).
        ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()
    generation = ix.latest_generation() + 1
    index.TOC(schema, segments, generation).write(ix.storage, ix.indexname)
    index.clean_files(ix.storage, ix.indexname, generation, segments)
    return len(records)


def _runs(records: Sequence[Any], procs: int) -> list[Sequence[Any]]:
    """``procs`` contiguous runs of nearly equal length (the first may be
    the only one)."""
    size = -(-len(records) // procs) or 1
    return [records[start : start + size] for start in range(0, len(records), size)] or [
        records
    ]


def _start(
    ix: index.Index,
    run: Sequence[Any],
    to_document: Callable[[Any], Document],
    text_fields: Mapping[str, str],
    limitmb: int,
) -> tuple[Any, Any]:
    context = multiprocessing.get_context("fork")  # the run is inherited, not pickled
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(sender, ix, run, to_document, text_fields, limitmb),
        daemon=True,
    )
    process.start()
    sender.close()
    return process, receiver


def _child(
    sender: Any,
    ix: index.Index,
    run: Sequence[Any],
    to_document: Callable[[Any], Document],
    text_fields: Mapping[str, str],
    limitmb: int,
) -> None:
    try:
        segments = _build_run(ix, run, to_document, text_fields, limitmb)
        sender.send_bytes(pickle.dumps(("ok", segments)))
    except BaseException:
        sender.send_bytes(pickle.dumps(("error", traceback.format_exc())))
    finally:
        sender.close()


def _result(process: Any, receiver: Any) -> list[Any]:
    """A child's segments; its error raised here, with its traceback."""
    try:
        status, payload = pickle.loads(receiver.recv_bytes())
    except EOFError:
        status, payload = "error", f"exit code {process.exitcode}"
    finally:
        receiver.close()
        process.join()
    if status != "ok":
        raise RuntimeError(f"an indexing process failed:\n{payload}")
    segments: list[Any] = payload
    return segments
