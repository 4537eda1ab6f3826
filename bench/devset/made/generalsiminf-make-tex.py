"""Make made/generalsiminf-siminf.tex from multcomp's generalsiminf.Rnw (issue 8).

Takes the title block and section 3 (lines 274-435 of the Rnw shipped in
r-cran-multcomp 1.4-22-1), defines the paper's macros (its header.tex is not
shipped), writes citations as author-year text and turns two of them into
footnotes, so that pandoc makes a Word file with real footnotes and equations:
    python made/generalsiminf-make-tex.py generalsiminf.Rnw \
        > made/generalsiminf-siminf.tex
    pandoc made/generalsiminf-siminf.tex -o docs/multcomp-siminf-pandoc.docx
"""

import re
import sys
from pathlib import Path

MACROS = r"""\newcommand{\K}{\mathbf{K}}
\newcommand{\T}{\mathbf{T}}
\newcommand{\m}{\mathbf{m}}
\newcommand{\D}{\mathbf{D}}
\newcommand{\A}{\mathbf{A}}
\newcommand{\N}{\mathcal{N}}
\newcommand{\F}{\mathcal{F}}
\newcommand{\R}{\mathbb{R}}
\newcommand{\Prob}{\mathbb{P}}
\newcommand{\Cor}{\mathbf{R}}
\newcommand{\Rg}{\text{Rg}}
\newcommand{\Sigmaraw}{\Sigma}
\newcommand{\Sraw}{\mathbf{S}}
\newcommand{\an}{\stackrel{a}{\sim}}
\newcommand{\cL}{\stackrel{d}{\longrightarrow}}
\newcommand{\tt}{\mathbf{t}}
"""

CITES = {
    "Searle1971": "Searle, 1971",
    "Tong1990": "Tong (1990)",
    "Marcusetal1976": "Marcus, Peritz, and Gabriel, 1976",
    "Westfall1997": "Westfall (1997)",
    "WestfallTobias2007": "Westfall and Tobias (2007)",
    "Genz1992,GenzBretz1999,BretzGenzHothorn2001": (
        "Genz (1992); Genz and Bretz (1999); Bretz, Genz, and Hothorn (2001)"
    ),
    "GenzBretz2002": "Genz and Bretz (2002)",
}
FOOTNOTES = {
    r"\citep{Searle1971}": r"\footnote{Shayle R. Searle. \emph{Linear Models}."
    r" John Wiley \& Sons, New York, 1971.}",
    r"see \cite{Tong1990}.": r"see Tong (1990).\footnote{Y. L. Tong."
    r" \emph{The Multivariate Normal Distribution}. Springer, New York, 1990.}",
}
REFS = {"model": "2", "global": "3.1", "simtest": "3.2", "clt": "2", "maxt": "5"}


def convert(rnw: str) -> str:
    lines = rnw.splitlines()
    # Whole-line comments (a commented-out paragraph) are not part of the paper.
    body = "\n".join(x for x in lines[273:435] if not x.lstrip().startswith("%"))
    for old, new in FOOTNOTES.items():
        body = body.replace(old, new)
    body = body.replace(
        r"\citep[such as Theorem" "\n" r"3.5,][]{Serfling1980}",
        "(such as Theorem\n3.5, Serfling, 1980)",
    )
    body = re.sub(r"\\citep\{(.*?)\}", lambda m: "(" + CITES[m[1]] + ")", body)
    body = re.sub(r"\\cite%?\s*\{(.*?)\}", lambda m: CITES[m[1]], body)
    body = re.sub(r"\\ref%?\s*\{(.*?)\}", lambda m: REFS[m[1]], body)
    body = re.sub(r"\\label\{.*?\}", "", body)
    title = (
        "\\title{Simultaneous Inference in General Parametric Models"
        "\\footnote{This is a preprint of an article published in Biometrical"
        " Journal, Volume 50, Number 3, 346--363. Copyright \\copyright{} 2008"
        " WILEY-VCH Verlag GmbH \\& Co. KGaA, Weinheim.}}\n"
        "\\author{Torsten Hothorn, Frank Bretz and Peter Westfall}\n"
    )
    return (
        "\\documentclass{article}\n\\usepackage{amsmath}\n"
        + MACROS
        + title
        + "\\begin{document}\n\\maketitle\n"
        + body
        + "\n\\end{document}\n"
    )


if __name__ == "__main__":
    sys.stdout.write(convert(Path(sys.argv[1]).read_text(encoding="utf-8")))
