"""ingest, export_paragraphs and ensure_admin."""
