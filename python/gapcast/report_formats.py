"""The report's tables as files: CSV (every statistic at full precision, for re-analysis),
Markdown and LaTeX (booktabs; for reading and for papers), and HTML for the page.

Every table carries its provenance: a ``#`` comment on the first line of the CSV (read with
``pandas.read_csv(path, skiprows=1)``), an HTML comment and an italic caption line in
Markdown, ``%`` comment lines and a visible footnote line in LaTeX, a caption line in HTML.

The LaTeX needs only ``booktabs`` (and ``longtable`` for the assumptions appendix, which runs
over several pages); every file compiles with pdflatex inside a minimal document.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from typing import TYPE_CHECKING

from .report_style import format_value
from .report_tables import Cell, Table, Text

if TYPE_CHECKING:
    from .results import Results

__all__ = ["latex_escape", "to_csv", "to_html", "to_latex", "to_markdown"]


def _provenance(table: Table, results: Results) -> str:
    return results.provenance.caption(table.scenarios)


def to_csv(table: Table, results: Results) -> str:
    out = io.StringIO()
    out.write(f"# {table.title}. {results.provenance.long_text(table.scenarios)}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.csv_header)
    writer.writerows(table.csv_rows)
    return out.getvalue()


def _md_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
            .replace("<", "&lt;").replace("\n", " "))


def _md_cell(cell: Cell) -> str:
    if isinstance(cell, Text):
        return f"`{cell.text}`" if cell.mono and cell.text else _md_escape(cell.text)
    text = format_value(cell.value, cell.unit)
    if cell.interval is not None:
        lo, hi = cell.interval
        text += f" [{format_value(lo, cell.unit)}, {format_value(hi, cell.unit)}]"
    return text


def to_markdown(table: Table, results: Results) -> str:
    lines = [f"<!-- {_md_escape(results.provenance.long_text(table.scenarios))} -->", "",
             f"**{_md_escape(table.title)}.** {_md_escape(table.description)}", ""]
    width = len(table.columns)
    lines.append("| " + " | ".join(_md_escape(c.replace("\n", " ")) for c in table.columns)
                 + " |")
    align = table.align or ("l" + "c" * (width - 1))
    marks = {"l": ":---", "c": ":---:", "r": "---:"}
    lines.append("|" + "|".join(marks.get(a, "---") for a in align[:width]) + "|")
    for title, rows in table.groups:
        if title:
            lines.append(f"| **{_md_escape(title)}** |" + " |" * (width - 1))
        for row in rows:
            lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    lines += ["", f"*{_md_escape(_provenance(table, results))}*", ""]
    return "\n".join(lines)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    "×": r"$\times$", "·": r"$\cdot$", "–": "--", "—": "---", "−": "$-$", "≈": r"$\approx$",
    "≤": r"$\leq$", "≥": r"$\geq$", "±": r"$\pm$", "→": r"$\rightarrow$", "∞": r"$\infty$",
    "µ": r"$\mu$", "μ": r"$\mu$", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\dots{}",
    "°": r"$^\circ$", "€": "EUR", "£": r"\pounds{}", "\u00a0": "~",
    "⁰": "$^0$", "¹": "$^1$", "²": "$^2$", "³": "$^3$", "⁴": "$^4$", "⁵": "$^5$", "⁶": "$^6$",
    "⁷": "$^7$", "⁸": "$^8$", "⁹": "$^9$", "⁻": "$^-$",
}


def latex_escape(text: str) -> str:
    """Text for pdflatex with only the default fonts: LaTeX's special characters escaped,
    common symbols as math, accented letters decomposed to ASCII, anything else written as
    its code point (pdflatex would stop at an undefined character)."""
    out = []
    for ch in text:
        if ch in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch if ch >= " " or ch == "\n" else " ")
        else:
            ascii_form = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(ascii_form if ascii_form else f"[U+{ord(ch):04X}]")
    return "".join(out).replace("\n", " ")


# Ragged-right text in a p{} column without the array package: \raggedright alone would
# make the row-ending \\ a line break inside the cell, so \\ is given back its table meaning
# (what array's \arraybackslash does).
_RAGGED = r"\raggedright\let\\\tabularnewline "


def _latex_cell(cell: Cell, ragged: bool = False) -> str:
    if isinstance(cell, Text):
        text = latex_escape(cell.text)
        if cell.mono:
            # Identifiers may break after underscores in narrow columns.
            text = r"\texttt{" + text.replace(r"\_", r"\_\allowbreak{}") + "}"
        return (_RAGGED + text) if ragged else text
    main = format_value(cell.value, cell.unit, style="latex")
    if cell.interval is None:
        return main
    lo, hi = cell.interval
    interval = (f"[{format_value(lo, cell.unit, style='latex')}, "
                f"{format_value(hi, cell.unit, style='latex')}]")
    return r"\begin{tabular}[t]{@{}c@{}}" + main + r"\\{\scriptsize " + interval + \
        r"}\end{tabular}"


def _latex_header(text: str) -> str:
    lines = [r"\textbf{" + latex_escape(part) + "}" for part in text.split("\n")]
    if len(lines) == 1:
        return lines[0]
    return r"\begin{tabular}[b]{@{}c@{}}" + r"\\".join(lines) + r"\end{tabular}"


def to_latex(table: Table, results: Results) -> str:
    label = "tab:gapcast-" + table.stem.replace("_", "-")
    provenance = latex_escape(_provenance(table, results))
    head = [f"% gapcast report: {table.title} ({table.stem}.tex)",
            "% Needs \\usepackage{booktabs}" + ("" if not table.long else
                                                 " and \\usepackage{longtable}") + ".",
            "% " + latex_escape(results.provenance.long_text(table.scenarios)).replace("\n", " ")]
    caption = latex_escape(f"{table.title}. {table.description}")
    shown = [c for j, c in enumerate(table.columns) if j != table.spill]
    header = " & ".join(_latex_header(c) for c in shown) + r" \\"
    width = len(shown)
    body = []
    for i, (title, rows) in enumerate(table.groups):
        if title:
            if i > 0:
                body.append(r"\addlinespace")
            body.append(r"\multicolumn{" + str(width) + r"}{@{}l}{\textit{" +
                        latex_escape(title) + r"}} \\")
        for row in rows:
            body.append(" & ".join(_latex_cell(c, ragged=table.long or
                                               (j == 0 and table.wrap_first))
                                   for j, c in enumerate(row) if j != table.spill) + r" \\")
            if table.spill is not None:
                spilled = latex_escape(table.columns[table.spill])
                body.append(r"\multicolumn{" + str(width) + r"}{@{}p{\linewidth}@{}}{" +
                            _RAGGED + r"\textit{" + spilled + ":} " +
                            _latex_cell(row[table.spill]) + r"} \\[2pt]")
    if table.long:
        spec = "@{}" + "".join("p{" + w + "}" for w in (table.widths or ["3cm"] * width)) + "@{}"
        lines = head + [
            r"{\scriptsize",
            r"\setlength{\tabcolsep}{3pt}",
            r"\begin{longtable}{" + spec + "}",
            r"\caption{" + caption + r"}\label{" + label + r"}\\",
            r"\toprule", header, r"\midrule", r"\endfirsthead",
            r"\multicolumn{" + str(width) + r"}{@{}l}{\textit{" + latex_escape(table.title) +
            r" (continued)}} \\",
            r"\toprule", header, r"\midrule", r"\endhead",
            r"\midrule",
            r"\multicolumn{" + str(width) + r"}{r@{}}{\textit{continued on the next page}} \\",
            r"\endfoot",
            r"\bottomrule",
            r"\multicolumn{" + str(width) + r"}{@{}p{\linewidth}@{}}{\tiny " + provenance +
            r"} \\",
            r"\endlastfoot",
            *body,
            r"\end{longtable}",
            r"}",
        ]
    else:
        # The scenario column wraps (long names would otherwise push the table past the
        # text width); the others keep their alignment.
        align = table.align or ("l" + "c" * (width - 1))
        if table.wrap_first:
            align = "p{2.2cm}" + align[1:]
        lines = head + [
            r"\begin{table}[htbp]",
            r"\centering",
            r"\footnotesize",
            r"\setlength{\tabcolsep}{4pt}",
            r"\caption{" + caption + r"}",
            r"\label{" + label + r"}",
            r"\begin{tabular}{@{}" + align + r"@{}}",
            r"\toprule", header, r"\midrule",
            *body,
            r"\bottomrule",
            r"\end{tabular}",
            r"\par\smallskip",
            r"{\tiny " + provenance + r"}",
            r"\end{table}",
        ]
    return "\n".join(lines) + "\n"


def _html_cell(cell: Cell) -> str:
    if isinstance(cell, Text):
        text = html.escape(cell.text)
        return f"<code>{text}</code>" if cell.mono and cell.text else text
    text = html.escape(format_value(cell.value, cell.unit))
    if cell.interval is not None:
        lo, hi = cell.interval
        text += (f'<br><span class="ci">[{html.escape(format_value(lo, cell.unit))}, '
                 f'{html.escape(format_value(hi, cell.unit))}]</span>')
    return text


def to_html(table: Table, results: Results) -> str:
    width = len(table.columns)
    align = table.align or ("l" + "c" * (width - 1))
    css = {"l": "left", "c": "center", "r": "right"}
    out = [f'<table class="data" id="table-{table.stem}">',
           f"<caption><strong>{html.escape(table.title)}.</strong> "
           f"{html.escape(table.description)}</caption>",
           "<thead><tr>" + "".join(f'<th style="text-align:{css.get(a, "left")}">'
                                   f"{html.escape(c).replace(chr(10), '<br>')}</th>"
                                   for c, a in zip(table.columns, align, strict=False)) +
           "</tr></thead>", "<tbody>"]
    for title, rows in table.groups:
        if title:
            out.append(f'<tr class="group"><th colspan="{width}">{html.escape(title)}</th></tr>')
        for row in rows:
            out.append("<tr>" + "".join(
                f'<td style="text-align:{css.get(a, "left")}">{_html_cell(c)}</td>'
                for c, a in zip(row, align, strict=False)) + "</tr>")
    out += ["</tbody>", "</table>",
            f'<p class="provenance">{html.escape(_provenance(table, results))}</p>']
    return "\n".join(out) + "\n"
