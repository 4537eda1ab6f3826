"""sandwich.Rnw lines 198-411 (sections 2, 3.1, 3.2) as plain LaTeX for pandoc.

    python3 sandwich-hac-make-tex.py sandwich.Rnw > sandwich-hac.tex
    pandoc sandwich-hac.tex -o ../docs/sandwich-hac-pandoc.docx

Citations become author-year text (there is no .bib; their optional notes,
"among others", are dropped); the JSS markup macros
become LaTeX's own; nothing else is changed.
"""

import re
import sys
from pathlib import Path

HEAD = r"""\documentclass{article}
\newcommand{\VAR}{\mathrm{VAR}}
\title{Econometric Computing with HC and HAC Covariance Matrix Estimators}
\author{Achim Zeileis}
\begin{document}
\maketitle
"""
_CITE = re.compile(r"\\(citep?)(?:\[([^\]]*)\])?(?:\[([^\]]*)\])?\{([^}]*)\}")


def who(key: str) -> tuple[str, str]:
    """ "hac:Newey+West:1987" -> ("Newey and West", "1987")."""
    parts = key.split(":")
    return parts[1].replace("+", " and "), parts[2]


def cite(match: re.Match[str]) -> str:
    kind, opt1, opt2 = match.group(1), match.group(2), match.group(3)
    refs = [who(k.strip()) for k in match.group(4).split(",")]
    if kind == "citep":
        inner = "; ".join(f"{n} {y}" for n, y in refs)
        post = (", " + opt2) if (opt1 is None and opt2) else ""
        return f"({inner}{post})"
    return ", ".join(f"{n} ({y})" for n, y in refs)


def main() -> None:
    lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    body = _CITE.sub(cite, "\n".join(lines[197:411]))
    body = body.replace("\\code{", "\\texttt{").replace("\\pkg{", "\\textbf{")
    body = re.sub(r"\\proglang\{([^}]*)\}", r"\1", body)
    print(HEAD + body + "\n\\end{document}")


if __name__ == "__main__":
    main()
