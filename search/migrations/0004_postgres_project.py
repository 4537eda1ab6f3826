"""The PostgreSQL search tables learn each record's project.

``search_pg_entry`` gets a ``project`` column, filled from the corpus (the
project of each record's document; entries whose paragraph is gone are
dropped, as a repair would drop them) and indexed with the document slug
(slugs are unique per project). ``search_pg_word``, behind typo correction,
counts words per project, so a search is only ever corrected to its own
project's words; it is refilled from the entries.

The entries' fingerprints were computed without the project, so ``manage.py
search_index verify`` reports them stale until ``repair`` or ``rebuild``
rewrites them; searches work at once.

PostgreSQL only, as 0002: on SQLite both directions do nothing.
"""

from django.db import migrations

ENTRY_PROJECT = [
    "ALTER TABLE search_pg_entry ADD COLUMN project bigint",
    """
    UPDATE search_pg_entry e SET project = d.project_id
    FROM corpus_paragraph p JOIN corpus_document d ON d.id = p.document_id
    WHERE p.id = e.id
    """,
    "DELETE FROM search_pg_entry WHERE project IS NULL",
    "ALTER TABLE search_pg_entry ALTER COLUMN project SET NOT NULL",
    # Every search filters by project; document filters by (project, slug).
    "DROP INDEX IF EXISTS search_pg_entry_document",
    "CREATE INDEX search_pg_entry_project ON search_pg_entry (project, document)",
]

WORDS_PER_PROJECT = [
    "DROP TABLE search_pg_word",
    "CREATE TABLE search_pg_word (project bigint NOT NULL, word text NOT NULL,"
    " docs integer NOT NULL, PRIMARY KEY (project, word))",
    "CREATE INDEX search_pg_word_trgm ON search_pg_word"
    " USING gin (word gin_trgm_ops) WITH (gin_pending_list_limit = 256)",
    "INSERT INTO search_pg_word (project, word, docs)"
    " SELECT project, w, count(*) FROM search_pg_entry,"
    " unnest(tsvector_to_array(raw)) AS w GROUP BY project, w",
]

FORWARD = [*ENTRY_PROJECT, *WORDS_PER_PROJECT]

BACKWARD = [
    "DROP TABLE search_pg_word",
    "CREATE TABLE search_pg_word (word text PRIMARY KEY, docs integer NOT NULL)",
    "CREATE INDEX search_pg_word_trgm ON search_pg_word"
    " USING gin (word gin_trgm_ops) WITH (gin_pending_list_limit = 256)",
    "INSERT INTO search_pg_word (word, docs) SELECT w, count(*)"
    " FROM search_pg_entry, unnest(tsvector_to_array(raw)) AS w GROUP BY w",
    "DROP INDEX IF EXISTS search_pg_entry_project",
    "ALTER TABLE search_pg_entry DROP COLUMN project",
    "CREATE INDEX search_pg_entry_document ON search_pg_entry (document)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite: only the Whoosh backend exists there
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_outbox_background"),
        ("corpus", "0005_projects"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
