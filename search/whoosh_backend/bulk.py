"""Bulk indexing for Whoosh: a new build's segments written straight from records.

Part of the Whoosh engine (the ``whoosh_backend`` package, the only code that
imports Whoosh). Whoosh's own writer spends most of a full build on bookkeeping
per posting: a tuple into a pool, a sort of every tuple, then per posting a
call with type checks and a read of the document's field length from the
segment being written. This writer keeps each field's postings in memory, per
term, as arrays already in document order (documents are numbered as they
come), so only the term dictionary is sorted; it writes the same files through
Whoosh's own codec objects, block by block. The segments hold exactly what
Whoosh's ``SegmentWriter`` writes for the same documents (``tests/search/
test_whoosh_bulk.py`` compares them posting by posting, and searches).

Text fields (``AnalysedText``) are held as streams of word numbers: a
record's words are found once for all its text fields, each distinct word
is folded and stemmed once per segment, and the postings (frequencies,
positions, weights) come from one numpy sort of the segment's words by term.
Block statistics are computed per field with numpy too, and a term's blocks
and a field's term dictionary entries are written at once.

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
import struct
import traceback
import zlib
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from whoosh import fields, index
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    _lenfield,
)
from whoosh.compat import dumps
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import _length_byte_cache, byte_to_length, length_to_byte

from search import analysis

Document = Mapping[str, Any]  # ``add_document`` keywords, ``to_document``'s result
Posting = tuple[bytes, int, float, bytes]  # term, frequency, weight, value
# A field's postings grouped by term: documents, weights, values, and each
# term with its postings' slice of those.
Grouped = tuple[np.ndarray, np.ndarray, list[bytes], list[tuple[bytes, slice]]]

# Estimated bytes of memory per posting or text word held (arrays, values,
# dictionaries, and the lists and arrays they become while the segment is
# written), to turn ``limitmb`` into a segment size: past it a segment is
# written out and the next one begun, so memory stays bounded on any corpus.
BYTES_PER_POSTING = 100
# Values of short fields (ids, kinds, titles, sections) recur across records:
# their postings are computed once per distinct value.
CACHED_VALUE_CHARS = 256
# Posting blocks whose pickle is shorter are not compressed (``_write_block``).
SMALL_BLOCK = 100
BLOCK_WBITS = 12  # zlib window of posting blocks: 4 KB (``_write_block``)


class _Vocabulary:
    """Raw word -> its number in this process, and the numbers of a text's
    words, found once for all the text fields that get the same string
    (``raw`` and ``text_<lang>``)."""

    def __init__(self) -> None:
        self.numbers = _Numbering()  # in insertion order: list(numbers)[n] is n's
        self._text: str | None = None
        self._ids: list[int] = []

    def ids(self, text: str) -> list[int]:
        """The numbers of ``text``'s words, in text order."""
        if text is not self._text:
            found = analysis.TOKEN_RE.findall(text)
            self._text, self._ids = text, list(map(self.numbers.__getitem__, found))
        return self._ids


class _Memo(dict[str, str]):
    """A dict that computes missing values: a hit is one C-level lookup."""

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: str) -> str:
        value = self[key] = self.compute(key)
        return value


class _Analyser:
    """The terms of a field's value: for ``AnalysedText`` fields the numbers
    of its words (``_Vocabulary``), for other fields as ``field.index(value)``
    gives its postings, remembered for short values, which recur (ids of
    kinds and languages, documents)."""

    def __init__(self, text_fields: Mapping[str, str]) -> None:
        self.text_fields = text_fields  # field name -> analysis language
        self.vocabulary = _Vocabulary()
        self.cache: dict[tuple[str, Any], list[Posting]] = {}

    def postings(self, name: str, field: Any, value: Any) -> list[Posting]:
        key = _cache_key(value)
        if key is None or field.unique:
            return list(field.index(value))
        cached = self.cache.get((name, key))
        if cached is None:
            cached = self.cache[name, key] = list(field.index(value))
        return cached


def _cache_key(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= CACHED_VALUE_CHARS else None
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


class _Numbering(dict[Any, int]):
    """Term -> its number in the segment, numbered as first seen."""

    def __missing__(self, key: Any) -> int:
        number = self[key] = len(self)
        return number


_POSITIONS = fields.TEXT().format  # Whoosh's Positions format (its encoder)
_FREQUENCY = [pack_uint(n) for n in range(256)]  # Frequency values: pack_uint(freq)


class _TextPostings:
    """An ``AnalysedText`` field's words in a segment, as they came: word
    numbers (``_Vocabulary``), and per value its document, word count and
    boost; two C-level appends per value. ``grouped()`` turns them into
    postings with numpy (a stable sort by term, then runs of a document),
    which is what ``AnalysedText.index`` gives per value: a term per distinct
    ``analysis.normalise(word, lang)``, its frequency, and its positions."""

    analysed = True

    def __init__(self, field: Any, lang: str, vocabulary: _Vocabulary) -> None:
        self.field, self.lang, self.vocabulary = field, lang, vocabulary
        self.positions = field.format.supports("positions")
        self.words = array("I")  # word numbers, value after value
        self.docs = array("I")  # per value: its document
        self.counts = array("I")  # per value: its word count
        self.boosts = array("d")  # per value: its boost
        self.singles: list[bytes] = []  # encoded lone positions, by position

    def __len__(self) -> int:
        return len(self.words)

    def add_text(self, docnum: int, text: str, boost: float) -> int:
        """Hold a value's words; returns the field length (its word count)."""
        ids = self.vocabulary.ids(text)
        if ids:
            self.words.extend(ids)
            self.docs.append(docnum)
            self.counts.append(len(ids))
            self.boosts.append(boost)
        return len(ids)

    def _terms_of_words(self) -> tuple[np.ndarray, _Numbering]:
        """Word number -> term number, terms numbered as first met."""
        numbers, lang = _Numbering(), self.lang
        normalise = analysis.normalise
        terms = [numbers[normalise(word, lang)] for word in self.vocabulary.numbers]
        return np.array(terms, dtype=np.int64), numbers

    def grouped(self) -> Grouped:
        """As ``_FieldPostings.grouped``."""
        term_of_word, numbers = self._terms_of_words()
        counts = np.frombuffer(self.counts, dtype=np.uint32).astype(np.int64)
        words = np.frombuffer(self.words, dtype=np.uint32)
        # Per word: its term, document, position and boost; sorted by term
        # stably, so each term's words stay in document and position order.
        terms = term_of_word[words]
        order = np.argsort(terms, kind="stable")
        terms = terms[order]
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), counts)[order]
        positions = np.arange(len(words)) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        positions = positions[order]
        new = np.ones(len(terms), dtype=bool)  # a posting starts: term or doc changes
        new[1:] = (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])
        starts = np.flatnonzero(new)
        freqs = np.diff(np.append(starts, len(terms)))
        boosts = np.repeat(np.frombuffer(self.boosts, dtype=np.float64), counts)
        boosts = boosts[order][starts]
        # The same double arithmetic as ``AnalysedText.index`` and the
        # writer: (frequency * field boost) * document boost.
        weights = (freqs.astype(np.uint32) * self.field.format.field_boost) * boosts
        if self.positions:
            values = self._position_values(positions, starts, freqs)
        else:
            values = _frequency_values(freqs)
        posting_terms = terms[starts]
        return docs[starts], weights, values, _term_slices(posting_terms, numbers)

    def _position_values(
        self, positions: np.ndarray, starts: np.ndarray, freqs: np.ndarray
    ) -> list[bytes]:
        """``formats.Positions.encode`` of each posting's positions."""
        firsts = positions[starts]
        singles = self._singles(int(firsts.max()) + 1 if len(firsts) else 0)
        values = list(map(singles.__getitem__, firsts.tolist()))
        several = np.flatnonzero(freqs > 1).tolist()
        if several:
            listed, begins, sizes = positions.tolist(), starts.tolist(), freqs.tolist()
            encode = _POSITIONS.encode
            for k in several:
                values[k] = encode(listed[begins[k] : begins[k] + sizes[k]])
        return values

    def _singles(self, count: int) -> list[bytes]:
        """``formats.Positions.encode([p])`` for every p < ``count``: most
        words occur once in a record, and their encodings recur."""
        singles = self.singles
        while len(singles) < count:
            singles.append(_POSITIONS.encode([len(singles)]))
        return singles


def _frequency_values(freqs: np.ndarray) -> list[bytes]:
    """``formats.Frequency`` values: ``pack_uint(freq)`` per posting."""
    listed = freqs.tolist()
    if len(freqs) and int(freqs.max()) >= len(_FREQUENCY):
        return [pack_uint(f) for f in listed]
    return list(map(_FREQUENCY.__getitem__, listed))  # a C-level lookup each


def _term_slices(
    posting_terms: np.ndarray, numbers: Mapping[Any, int]
) -> list[tuple[bytes, slice]]:
    """(term, its postings' slice), in term order, for postings sorted by
    term number; terms without postings left out."""
    counts = np.bincount(posting_terms, minlength=len(numbers))
    ends_n = np.cumsum(counts)
    starts, ends, present = (ends_n - counts).tolist(), ends_n.tolist(), counts > 0
    keys = [
        (term.encode("utf-8") if isinstance(term, str) else term, number)
        for term, number in numbers.items()
        if present[number]
    ]
    return [
        (term, slice(starts[number], ends[number])) for term, number in sorted(keys)
    ]


class _FieldPostings:
    """One field's postings in a segment (a field other than ``AnalysedText``),
    flat, in the order documents came (so in document order per term): term
    numbers, document numbers, boosts, and Whoosh's own weights and values.
    ``grouped()`` groups them by term when the segment is written; holding
    them flat costs a few C-level appends per posting instead of several
    Python steps."""

    analysed = False

    def __init__(self, field: Any) -> None:
        self.field = field
        self.numbers = _Numbering()
        self.term_numbers = array("I")
        self.docs = array("I")
        self.boosts = array("d")
        self.weights = array("d")  # weight before the boost
        self.values: list[bytes] = []

    def __len__(self) -> int:
        return len(self.docs)

    def add_postings(self, docnum: int, postings: list[Posting], boost: float) -> int:
        """Hold ``field.index`` postings; returns their total frequency."""
        numbers, length = self.numbers, 0
        for term, freq, weight, value in postings:
            self.term_numbers.append(numbers[term])
            self.docs.append(docnum)
            self.boosts.append(boost)
            self.weights.append(weight)
            if value:
                self.values.append(value)
            length += freq
        return length

    def grouped(self) -> Grouped:
        """The postings regrouped by term, stably (each term's postings stay
        in document order): documents, weights (boosts applied), values, and
        (term, its postings' slice of those), in term order."""
        numbers = np.frombuffer(self.term_numbers, dtype=np.uint32)
        order = np.argsort(numbers, kind="stable")
        boosts = np.frombuffer(self.boosts, dtype=np.float64)[order]
        weights = np.frombuffer(self.weights, dtype=np.float64)[order] * boosts
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        values = self.values
        if values:
            if len(values) != len(numbers):  # Whoosh keeps non-empty values only
                raise ValueError(f"field {self.field!r}: some postings lack values")
            values = [values[i] for i in order.tolist()]
        return docs, weights, values, _term_slices(numbers[order], self.numbers)


class _SegmentBuilder:
    """Writes documents into segments of ``ix``, a new one past ``limitmb``
    of postings held, as Whoosh's ``SegmentWriter.add_document`` would."""

    def __init__(
        self, ix: index.Index, text_fields: Mapping[str, str], limitmb: int
    ) -> None:
        self.storage, self.indexname, self.schema = ix.storage, ix.indexname, ix.schema
        self.codec = default_codec()
        self.text_fields = text_fields
        self.analyser = _Analyser(text_fields)
        self.limit = max(1, limitmb * 1024 * 1024 // BYTES_PER_POSTING)
        self.segments: list[Any] = []
        self.names: dict[tuple[str, ...], list[str]] = {}
        self._begin()

    def _begin(self) -> None:
        self.segment = self.codec.new_segment(self.storage, self.indexname)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self.postings: dict[str, _FieldPostings | _TextPostings] = {}
        self.lengths: dict[str, array] = {}  # field -> length byte per doc
        self.docnum = 0
        self.held = 0  # postings in memory

    def add(self, document: Document) -> None:
        """``SegmentWriter.add_document(**document)``, field by field, with
        ``W3PerDocWriter.add_field`` and ``add_column_value`` done here: the
        same stored fields, lengths and column values, without their calls
        per field."""
        schema, perdoc, docnum = self.schema, self.perdoc, self.docnum
        docboost = float(document.get("_boost", 1.0))
        perdoc.start_doc(docnum)
        stored_fields = perdoc._storedfields
        for name in self._names(document):
            value = document[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                boost = float(document.get(f"_{name}_boost", docboost))
                length = self._post(name, field, value, boost)
            stored = document.get(f"_stored_{name}", value)
            if field.stored and stored is not None:
                stored_fields[name] = stored
            if length:
                lengths = self._column(_lenfield(name), LENGTHS_COLUMN)
                lengths.add(docnum, self.lengths[name][docnum])
                perdoc._fieldlengths[name] += length
            if field.column_type and stored is not None:
                value = field.to_column_value(stored)
                self._column(name, field.column_type).add(docnum, value)
        perdoc.finish_doc()
        self.docnum += 1
        if self.held >= self.limit:
            self.finish()
            self._begin()

    def _names(self, document: Document) -> list[str]:
        """The document's field names in order (records share their keys)."""
        keys = tuple(document)
        names = self.names.get(keys)
        if names is None:
            names = self.names[keys] = sorted(k for k in keys if not k.startswith("_"))
        return names

    def _column(self, name: str, column: Any) -> Any:
        """The per-document writer's column writer for ``name``."""
        writer = self.perdoc._colwriters.get(name)
        if writer is None:
            self.perdoc._create_column(name, column)
            writer = self.perdoc._colwriters[name]
        return writer

    def _post(self, name: str, field: Any, value: Any, boost: float) -> int:
        """Hold the field's postings; its length if the field is scorable."""
        analysed = name in self.text_fields and isinstance(value, str)
        held = self.postings.get(name)
        if held is None:
            held = self.postings[name] = (
                _TextPostings(field, self.text_fields[name], self.analyser.vocabulary)
                if analysed
                else _FieldPostings(field)
            )
        if analysed != held.analysed:  # a list given to a text field
            raise ValueError(f"field {name!r}: mixed string and list values")
        before = len(held)
        if isinstance(held, _TextPostings):
            length = held.add_text(self.docnum, value, boost)
        else:
            postings = self.analyser.postings(name, field, value)
            length = held.add_postings(self.docnum, postings, boost)
        self.held += len(held) - before
        if not field.scorable or not length:
            return 0
        lengths = self.lengths.get(name)
        if lengths is None:
            lengths = self.lengths[name] = array("B")
        lengths.extend(bytes(self.docnum + 1 - len(lengths)))
        lengths[self.docnum] = length_to_byte(length)
        return length

    def finish(self) -> None:
        """Write the held postings and close the segment (if it has documents)."""
        self.perdoc.close()
        if not self.docnum:
            return  # nothing added since the last segment: leave no files
        writer = self.codec.field_writer(self.storage, self.segment)
        for name in sorted(self.postings):
            writer.start_field(name, self.schema[name])
            self._write_field(writer, self.postings[name], self.lengths.get(name))
            writer.finish_field()
        writer.close()
        self.postings = {}
        self.segment.set_doc_count(self.docnum)
        self.segment.create_compound_file(self.storage)  # as SegmentWriter does
        self.segments.append(self.segment)

    def _write_field(
        self,
        writer: Any,
        held: _FieldPostings | _TextPostings,
        length_bytes: array | None,
    ) -> None:
        docs, weights, values, terms = held.grouped()
        if not terms:  # a field whose values had no words
            return
        # Per posting, the field length Whoosh's ``add_postings`` sees: the
        # length byte decoded, 0 where it reads None (a zero byte) and skips.
        if length_bytes is None:
            lengths = None
        else:
            padded = np.zeros(self.docnum, dtype=np.int64)
            padded[: len(length_bytes)] = np.frombuffer(length_bytes, dtype=np.uint8)
            decoded = np.array([byte_to_length(b) if b else 0 for b in range(256)])
            lengths = decoded[padded][docs]
        blocks = _Blocks(
            docs, weights, values, lengths, terms, writer._postwriter, writer._format
        )
        _write_terms(writer, blocks, terms)


class _Blocks:
    """A field's postings cut into Whoosh's blocks (``W3PostingsWriter``:
    a term's postings ``_blocklimit`` at a time), with every block's
    statistics computed at once with numpy instead of posting by posting:
    ids delta-encoded per block, the largest weight, the shortest and longest
    field length, and whether the weights are all 1 or all equal."""

    def __init__(
        self,
        docs: np.ndarray,
        weights: np.ndarray,
        values: list[bytes],
        lengths: np.ndarray | None,
        terms: list[tuple[bytes, slice]],
        postwriter: Any,
        format_: Any,
    ) -> None:
        self.compression = postwriter._compression
        self.fixedsize = format_.fixed_value_size()
        self.values = values
        self.first_block, starts, ends = _block_bounds(
            terms, len(docs), postwriter._blocklimit
        )
        self.starts, self.ends = starts.tolist(), ends.tolist()
        self.first_ids, self.last_ids = docs[starts].tolist(), docs[ends - 1].tolist()
        deltas = np.diff(docs.astype(np.int64), prepend=0)
        deltas[starts] = docs[starts]  # delta_encode starts from 0 in each block
        self.deltas = deltas.tolist()
        w32 = weights.astype(np.float32)  # what Whoosh's array("f") holds
        self.weights32 = w32.tolist()
        low, high = np.minimum.reduceat(w32, starts), np.maximum.reduceat(w32, starts)
        # ``_mini_weights``: 0 all 1.0 (None), 1 all equal (the first), 2 a tuple
        self.weight_kinds = np.where(low == high, np.where(low == 1.0, 0, 1), 2)
        self.weight_kinds = self.weight_kinds.tolist()
        self.max_weights = np.maximum.reduceat(weights, starts).tolist()
        # Field lengths as length bytes (``length_to_byte`` is monotonic: the
        # byte of the shortest is the smallest byte): a block's shortest known
        # length (None, byte 0, where it has none) and longest (0 if none).
        count = len(starts)
        self.min_bytes, self.max_bytes = [0] * count, [0] * count
        self.has_lengths = [False] * count
        if lengths is not None:
            known = np.where(lengths > 0, lengths, _NO_LENGTH)
            shortest = np.minimum.reduceat(known, starts)
            self.has_lengths = (shortest != _NO_LENGTH).tolist()
            self.min_bytes = _length_bytes(shortest).tolist()
            self.max_bytes = _length_bytes(
                np.maximum.reduceat(lengths, starts)
            ).tolist()


_LENGTH_BYTES = np.array(_length_byte_cache)


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    """``length_to_byte`` of each length (0 for none: 0 or ``_NO_LENGTH``)."""
    found = np.searchsorted(_LENGTH_BYTES, lengths, side="left")  # bisect_left
    found[lengths >= 106374] = 255
    found[lengths == _NO_LENGTH] = 0
    return found


_NO_LENGTH = np.iinfo(np.int64).max  # a block without field lengths


def _block_bounds(
    terms: list[tuple[bytes, slice]], count: int, size: int
) -> tuple[dict[int, int], np.ndarray, np.ndarray]:
    """Every block's start and end (terms' postings are contiguous runs,
    cut every ``size`` postings), and the first block of the run starting at
    each offset."""
    run_starts = np.array(sorted(where.start for _, where in terms), dtype=np.int64)
    run_ends = np.append(run_starts[1:], count)
    per_run = (run_ends - run_starts + size - 1) // size
    first = np.cumsum(per_run) - per_run
    within = np.arange(int(per_run.sum())) - np.repeat(first, per_run)
    starts = np.repeat(run_starts, per_run) + size * within
    ends = np.minimum(starts + size, np.repeat(run_ends, per_run))
    return dict(zip(run_starts.tolist(), first.tolist(), strict=True)), starts, ends


_TERMINFO = W3TermInfo._struct


def _write_terms(
    writer: Any, blocks: _Blocks, terms: list[tuple[bytes, slice]]
) -> None:
    """Every term's postings and term info as ``start_term``, ``add`` per
    posting and ``finish_term`` write them: a term's blocks in one write,
    the field's term dictionary entries in another."""
    postfile = writer._postfile
    prefix = pack_ushort(writer._fieldid)
    offset = postfile.tell()
    entries = []
    for term, where in terms:
        data, info = _term_postings(blocks, blocks.first_block[where.start], where.stop)
        postfile.write(data)
        entries.append((prefix + term, info + pack_long(offset) + pack_int(len(data))))
        offset += len(data)
    _add_terms(writer._tindex, entries)


_ENTRY_LENGTHS = struct.Struct("!ii")  # filetables.HashWriter's key/value lengths


def _add_terms(tindex: Any, entries: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for each (key, value) of ``entries``, keys in
    increasing order, written at once."""
    if not entries:
        return
    if entries[0][0] <= tindex.lastkey:
        raise ValueError(f"keys must increase: {tindex.lastkey!r}..{entries[0][0]!r}")
    dbfile, buckets, hashfn = tindex.dbfile, tindex.buckets, tindex.hashfn
    position = dbfile.tell()
    positions, chunks = [], []
    for key, value in entries:
        positions.append(position)
        chunk = _ENTRY_LENGTHS.pack(len(key), len(value)) + key + value
        chunks.append(chunk)
        h = hashfn(key)
        buckets[h & 255].append((h, position))
        position += len(chunk)
    dbfile.write(b"".join(chunks))
    # GrowableArray.append per position widens the array's type at the first
    # position that overflows it: positions increase, so the last decides.
    held = tindex.index
    try:
        array(held.typecode, [positions[-1]])
    except OverflowError:
        held._retype(positions[-1])
    held.array.extend(positions)
    tindex.lastkey = entries[-1][0]


def _term_postings(blocks: _Blocks, block: int, stop: int) -> tuple[bytes, bytes]:
    """A term's posting blocks (from block number ``block`` to the one ending
    at ``stop``) and its ``W3TermInfo`` statistics, as Whoosh computes them."""
    parts = [WHOOSH3_HEADER_MAGIC]
    weight, count, max_weight = 0, 0, 0
    min_byte: int | None = None  # of the shortest known length
    max_byte = 0
    min_id = blocks.first_ids[block]
    while True:
        start, end = blocks.starts[block], blocks.ends[block]
        weights = blocks.weights32[start:end]
        weight += sum(weights)  # TermInfo.add_block: += sum(block weights)
        count += end - start
        block_max = blocks.max_weights[block]
        block_max = block_max if block_max > 0 else 0  # max(0, *weights)
        max_weight = max(max_weight, block_max)
        if blocks.has_lengths[block]:
            low = blocks.min_bytes[block]
            min_byte = low if min_byte is None else min(min_byte, low)
        max_byte = max(max_byte, blocks.max_bytes[block])
        last = end == stop
        parts.append(_block_bytes(blocks, block, weights, block_max, last))
        if last:
            break
        block += 1
    info = _TERMINFO.pack(
        False,
        weight,
        count,
        min_byte or 0,
        max_byte,
        max_weight,
        min_id,
        blocks.last_ids[block],
    )
    return b"".join(parts), info


def _block_bytes(
    blocks: _Blocks,
    block: int,
    weights: list[float],
    max_weight: float,
    last: bool,
) -> bytes:
    """``W3PostingsWriter._write_block``, but for the compression.

    zlib was a quarter of bulk indexing: a new compressor per block, and
    most of its time went to setting up its default 32 KB window, for blocks
    of a few hundred bytes. Blocks are compressed with a 4 KB window
    (``BLOCK_WBITS``: as small or smaller on blocks of 128 postings, and
    ``zlib.decompress`` reads any window up to 32 KB), and a block whose
    pickle is under ``SMALL_BLOCK`` bytes is left uncompressed (block info
    says so; readers decompress only blocks marked compressed), which Whoosh's
    own code meant to do (its test for small blocks is overwritten on the
    next line)."""
    start, end = blocks.starts[block], blocks.ends[block]
    kind = blocks.weight_kinds[block]
    mini_weights = None if kind == 0 else weights[0] if kind == 1 else tuple(weights)
    values = blocks.values[start:end] if blocks.values else []
    fixedsize = blocks.fixedsize
    if fixedsize is None or fixedsize < 0:
        mini_values: Any = tuple(values)
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = b"".join(values)
    data = dumps((tuple(blocks.deltas[start:end]), mini_weights, mini_values), 2)
    compression = blocks.compression if len(data) >= SMALL_BLOCK else 0
    if compression:
        data = zlib.compress(data, compression, BLOCK_WBITS)
    info = dumps(
        (
            end - start,
            blocks.last_ids[block],
            max_weight,
            compression,
            blocks.min_bytes[block],
            blocks.max_bytes[block],
        ),
        2,
    )
    size = len(info) + len(data)
    return pack_int(-size if last else size) + info + data


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
    return [
        records[start : start + size] for start in range(0, len(records), size)
    ] or [records]


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
