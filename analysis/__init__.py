"""Analysis: the coded passages as a workspace (retrieval, matrices,
co-occurrence, codelines, KWIC and memos). It sits above annotations, search
and corpus and may import them; they never import it."""
