"""What the PostgreSQL search backend needs (``search.postgres_backend``).

Extensions (unaccent, pg_trgm, fuzzystrmatch), text-search configurations
``gloss_en`` / ``gloss_fr`` (accents folded, then Snowball stemming; no stop
words, like the Whoosh index), the side table of index entries with its
tsvector columns and GIN indexes, and the word table behind typo correction.

PostgreSQL only: on any other database (SQLite) both directions do nothing,
because the Whoosh backend needs none of it. The SQL is written out here, not
imported from the backend, so this migration means the same thing forever.
"""

from django.db import migrations

# One mapping for every token type that holds letters: accents folded first,
# then stemmed (the order search.analysis.normalise uses, for the same reason).
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"

GIN_COLUMNS = ("tsv_en", "tsv_fr", "raw", "context", "themes")

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch",
    # Snowball dictionaries without a StopWords file: every word is indexed,
    # so phrases keep their positions and "the" alone still finds records.
    "CREATE TEXT SEARCH DICTIONARY gloss_english_stem"
    " (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH DICTIONARY gloss_french_stem"
    " (TEMPLATE = snowball, Language = french)",
    "CREATE TEXT SEARCH CONFIGURATION gloss_en (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION gloss_en ALTER MAPPING FOR {WORD_TOKENS}"
    " WITH unaccent, gloss_english_stem",
    "CREATE TEXT SEARCH CONFIGURATION gloss_fr (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION gloss_fr ALTER MAPPING FOR {WORD_TOKENS}"
    " WITH unaccent, gloss_french_stem",
    "CREATE TEXT SEARCH CONFIGURATION gloss_xx (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION gloss_xx ALTER MAPPING FOR {WORD_TOKENS}"
    " WITH unaccent, simple",
    """
    CREATE TABLE search_pg_entry (
        id bigint PRIMARY KEY,
        document text NOT NULL,
        document_order text NOT NULL,
        title text NOT NULL,
        authors text[] NOT NULL,
        section text NOT NULL,
        kind text NOT NULL,
        lang text NOT NULL,
        page integer,
        position integer NOT NULL,
        body text NOT NULL,
        themes text[] NOT NULL,
        fingerprint text NOT NULL,
        tsv_en tsvector NOT NULL,
        tsv_fr tsvector NOT NULL,
        raw tsvector NOT NULL,
        context tsvector NOT NULL
    )
    """,
    # A GIN index's "pending list" of recent entries is scanned in full by
    # every search until it is merged: with the default 4 MB limit, 10,000
    # records just written made searches ~8x slower. Merged at 256 kB here
    # (and by each rebuild, at once); without a pending list at all
    # (fastupdate off) a rebuild was 3.5x slower.
    *(
        f"CREATE INDEX search_pg_entry_{column} ON search_pg_entry"
        f" USING gin ({column}) WITH (gin_pending_list_limit = 256)"
        for column in GIN_COLUMNS
    ),
    "CREATE INDEX search_pg_entry_document ON search_pg_entry (document)",
    "CREATE INDEX search_pg_entry_order"
    " ON search_pg_entry (document_order, position, id)",
    "CREATE TABLE search_pg_word (word text PRIMARY KEY, docs integer NOT NULL)",
    "CREATE INDEX search_pg_word_trgm ON search_pg_word"
    " USING gin (word gin_trgm_ops) WITH (gin_pending_list_limit = 256)",
]

BACKWARD = [
    "DROP TABLE IF EXISTS search_pg_word",
    "DROP TABLE IF EXISTS search_pg_entry",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS gloss_xx",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS gloss_fr",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS gloss_en",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS gloss_french_stem",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS gloss_english_stem",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite: only the Whoosh backend exists there
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
