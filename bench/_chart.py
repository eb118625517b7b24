"""Horizontal bar charts as SVG, with no dependency, for the bench reports.

The benches write their results as markdown (bench/results/*.md); the
charts are drawn from those same files, so a chart always shows the numbers
of the report next to it:

    python bench/_chart.py                         # every known report in bench/results
    python bench/_chart.py bench/results/table.md  # just this one

bench/table_bench.py and bench/memory_bench.py call `charts_for(report)`
after writing theirs.  Known reports and the charts they give:

    table.md   -> table-memory.svg  (bytes per row, every structure measured)
                  table-speed.svg   (time ratios: the peer's time / compactcol's)
    memory.md  -> memory.svg        (payload and RSS growth per element, every case)
"""

from __future__ import annotations

import os
import re
import sys
from html import escape

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")

# Colours: one per series; `highlight` rows (compactcol's) use the first
# series' strong colour, peers a grey.
SERIES_COLOURS = ["#2b6cb0", "#dd6b20", "#38a169"]
PEER_COLOURS = ["#8a94a6", "#c4a484", "#9ac4a4"]
FONT = "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\""


def _fmt(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def _text_width(s: str, size: float) -> float:
    """A rough width of s in a sans font of `size` px (no font metrics here)."""
    return sum(0.33 if c in "il.,:;|'!()[] " else 0.68 if c.isupper() or c in "mwMW%" else 0.56
               for c in s) * size


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list]], *,
              unit: str = "", subtitle: str = "", highlight=None,
              value_fmt=_fmt, reference: float | None = None) -> str:
    """An SVG (as a string) of horizontal bars: one group of bars per label,
    one bar per series (`(name, values)`; a value None draws no bar), each
    bar with its value printed at its end.  `highlight(label)` marks rows
    drawn in strong colours (the others in greys); `reference` draws a
    dashed line at that value (e.g. 1 for ratios)."""
    highlight = highlight or (lambda label: False)
    size, bar_h, gap, pad = 13, 18, 10, 12
    n_series = len(series)
    # bold (highlighted) labels are about 10 % wider
    label_w = max(_text_width(s, size) * (1.12 if highlight(s) else 1.0) for s in labels) + 16
    plot_w = 420
    value_room = 70
    top = pad + 22 + (18 if subtitle else 0) + (22 if n_series > 1 else 0)
    group_h = n_series * bar_h + gap
    height = top + len(labels) * group_h + pad + (12 if reference is not None else 0)
    width = pad + label_w + plot_w + value_room + pad
    vmax = max((v for _, vals in series for v in vals if v is not None), default=1) or 1

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}">',
           f'<rect width="100%" height="100%" fill="#ffffff"/>',
           f'<text x="{pad}" y="{pad + 14}" {FONT} font-size="15" font-weight="bold" '
           f'fill="#1a202c">{escape(title)}</text>']
    y = pad + 22
    if subtitle:
        out.append(f'<text x="{pad}" y="{y + 12}" {FONT} font-size="11.5" fill="#4a5568">'
                   f'{escape(subtitle)}</text>')
        y += 18
    if n_series > 1:
        x = pad + label_w
        for k, (name, _) in enumerate(series):
            out.append(f'<rect x="{x:.0f}" y="{y + 4}" width="12" height="12" '
                       f'fill="{SERIES_COLOURS[k]}"/>')
            out.append(f'<text x="{x + 17:.0f}" y="{y + 14}" {FONT} font-size="12" '
                       f'fill="#1a202c">{escape(name)}</text>')
            x += 17 + _text_width(name, 12) + 24
    x0 = pad + label_w
    out.append(f'<line x1="{x0:.0f}" y1="{top - 4}" x2="{x0:.0f}" y2="{height - pad}" '
               f'stroke="#a0aec0" stroke-width="1"/>')
    for i, label in enumerate(labels):
        gy = top + i * group_h
        strong = highlight(label)
        weight = ' font-weight="bold"' if strong else ""
        out.append(f'<text x="{x0 - 8:.0f}" y="{gy + n_series * bar_h / 2 + 4.5:.1f}" '
                   f'{FONT} font-size="{size}" text-anchor="end" fill="#1a202c"'
                   f'{weight}>{escape(label)}</text>')
        for k, (name, vals) in enumerate(series):
            v = vals[i]
            by = gy + k * bar_h
            if v is None:
                continue
            w = max(1.0, plot_w * v / vmax)
            colour = SERIES_COLOURS[k] if strong else PEER_COLOURS[k]
            out.append(f'<rect x="{x0:.0f}" y="{by + 2}" width="{w:.1f}" height="{bar_h - 4}" '
                       f'fill="{colour}"><title>{escape(label)}, {escape(name)}: '
                       f'{value_fmt(v)}{escape(unit)}</title></rect>')
            out.append(f'<text x="{x0 + w + 5:.1f}" y="{by + bar_h / 2 + 4.5:.1f}" {FONT} '
                       f'font-size="12" fill="#1a202c">{escape(value_fmt(v) + unit)}</text>')
    if reference is not None:
        rx = x0 + plot_w * reference / vmax
        out.append(f'<line x1="{rx:.1f}" y1="{top - 4}" x2="{rx:.1f}" y2="{height - pad}" '
                   f'stroke="#4a5568" stroke-width="1" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{rx + 3:.1f}" y="{height - pad + 10}" {FONT} font-size="10.5" '
                   f'fill="#4a5568">{escape(value_fmt(reference) + unit)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- reading the markdown reports -------------------------------------------

def md_table(text: str, heading: str) -> list[dict]:
    """The rows (dicts by column header) of the first table under the
    `## heading...` section of a markdown report."""
    m = re.search(r"^## " + re.escape(heading) + r".*?$", text, re.M)
    if not m:
        raise ValueError(f"no section '## {heading}' in the report")
    lines = text[m.end():].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    header, body = rows[0], rows[2:]
    return [dict(zip(header, r)) for r in body]


def _num(s: str):
    s = s.replace(",", "").rstrip("x").strip()
    try:
        return float(s)
    except ValueError:
        return None


def _date(text: str) -> str:
    m = re.search(r"^- date: (\S+)", text, re.M)
    return m.group(1) if m else "?"


def table_charts(text: str, outdir: str) -> list[str]:
    """table.md -> table-memory.svg and table-speed.svg."""
    written = []
    rows = [r for r in md_table(text, "Memory") if _num(r["traced B/row"]) is not None]
    labels = [r["structure"] for r in rows]
    svg = bar_chart(
        "Bytes per row: 1,000,000 orders, 6 fields", labels,
        [("traced (pandas: memory_usage, PyArrow: nbytes)", [_num(r["traced B/row"]) for r in rows]),
         ("RSS growth", [_num(r["RSS growth B/row"]) for r in rows])],
        unit=" B", highlight=lambda s: s.startswith("compactcol"),
        subtitle=f"bench/table_bench.py, {_date(text)}; smaller is better")
    written.append(_write(outdir, "table-memory.svg", svg))

    speed = {r["operation"]: _num(r["seconds"]) for r in md_table(text, "Speed")}
    pairs = [  # (label, peer's time, compactcol's time)
        ("list.append loop / Table.append loop", "append loop, list", "append loop, Table"),
        ("pd.DataFrame(dicts) / Table.extend(dicts)", "pd.DataFrame(list of dicts)",
         "extend list of dicts, Table"),
        ("iterate dataclasses / iterate Table rows", "iterate + read one field, dataclasses",
         "iterate + read one field, Table"),
        ("pandas sort_values / Table.sort", "pandas sort_values('x'), x in [0, 1e9)",
         "Table.sort(by='x'), x in [0, 1e9)"),
        ("pandas sort_values / Table.sort, + a float column",
         "pandas sort_values('x'), x in [0, 1e9), + a float column",
         "Table.sort(by='x'), x in [0, 1e9), + a float column"),
    ]
    labels, ratios = [], []
    for label, peer, ours in pairs:
        if speed.get(peer) and speed.get(ours):
            labels.append(label)
            ratios.append(speed[peer] / speed[ours])
    svg = bar_chart(
        "Time ratio: the peer's time / compactcol's", labels, [("ratio", ratios)],
        unit="x", highlight=lambda s: True, reference=1.0,
        subtitle=f"1,000,000 rows, best of repeats; above 1x compactcol is faster, "
                 f"below it slower ({_date(text)})",
        value_fmt=lambda v: f"{v:.2f}")
    written.append(_write(outdir, "table-speed.svg", svg))
    return written


def memory_charts(text: str, outdir: str) -> list[str]:
    """memory.md -> memory.svg: payload (nbytes) and RSS growth per element."""
    rows = md_table(text, "Memory")
    rows = [r for r in rows if _num(r["RSS growth"]) is not None]
    labels = [r["case"].replace("`", "") for r in rows]
    svg = bar_chart(
        "Bytes per element or row: payload and what the OS sees", labels,
        [("nbytes (payload)", [_num(r["nbytes"]) for r in rows]),
         ("RSS growth", [_num(r["RSS growth"]) for r in rows])],
        unit=" B", highlight=lambda s: "(peer)" not in s,
        subtitle=f"bench/memory_bench.py, n = 1,000,000, fresh processes ({_date(text)})")
    return [_write(outdir, "memory.svg", svg)]


CHARTS = {"table.md": table_charts, "memory.md": memory_charts}


def _write(outdir: str, name: str, svg: str) -> str:
    path = os.path.join(outdir, name)
    with open(path, "w") as f:
        f.write(svg)
    return path


def charts_for(report_path: str) -> list[str]:
    """Draw the charts of one markdown report, next to it; [] for a report
    that has none."""
    render = CHARTS.get(os.path.basename(report_path))
    if render is None:
        return []
    with open(report_path) as f:
        text = f.read()
    return render(text, os.path.dirname(os.path.abspath(report_path)))


def main(argv: list[str]) -> int:
    paths = argv or [os.path.join(RESULTS, name) for name in CHARTS]
    for p in paths:
        if os.path.basename(p) not in CHARTS:
            print(f"{p}: no chart for this report (known: {', '.join(CHARTS)})", file=sys.stderr)
            return 2
        for written in charts_for(p):
            print("wrote", os.path.relpath(written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
