"""sandwich.Rnw lines 198-411 (sections 2, 3.1, 3.2) -> plain LaTeX for pandoc."""
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
body = "\n".join(lines[197:411])
def who(key):
    parts = key.split(":")
    names = parts[1].replace("+", " and ")
    return names, parts[2]
def cite(m):
    kind, opt1, opt2, keys = m.group(1), m.group(2), m.group(3), m.group(4).split(",")
    refs = [who(k.strip()) for k in keys]
    if kind == "citep":
        inner = "; ".join(f"{n} {y}" for n, y in refs)
        pre = (opt2 + " ") if opt2 is not None and opt1 is not None and opt1 else ""
        post = (", " + (opt2 if opt1 is None else opt1)) if (opt1 is None and opt2) else ""
        return f"({inner}{post})"
    return ", ".join(f"{n} ({y})" for n, y in refs)
body = re.sub(r"\\(citep?)(?:\[([^\]]*)\])?(?:\[([^\]]*)\])?\{([^}]*)\}", cite, body)
body = re.sub(r"\\code\{", r"\\texttt{", body)
body = re.sub(r"\\pkg\{", r"\\textbf{", body)
body = re.sub(r"\\proglang\{([^}]*)\}", r"\1", body)
head = r"""\documentclass{article}
\newcommand{\VAR}{\mathrm{VAR}}
\title{Econometric Computing with HC and HAC Covariance Matrix Estimators}
\author{Achim Zeileis}
\begin{document}
\maketitle
"""
print(head + body + "\n\\end{document}")
