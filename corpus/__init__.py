"""The corpus: documents ingested from source files into ordered paragraph records."""
