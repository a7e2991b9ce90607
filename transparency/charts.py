"""A tiny server-side chart: horizontal bars (stacked when there are several series) as inline
SVG, so the workspace needs no JavaScript and no chart library. Labels come from the data
(organisation names typed by their staff), so every one of them is escaped. Geometry is done
in Decimal like the figures themselves; no style attributes (the CSP forbids inline styles),
only SVG presentation attributes."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 760
LABEL_WIDTH = 290
VALUE_WIDTH = 120
BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH
ROW = 24
BAR = 16
LEGEND = 26
LABEL_CHARS = 42
COLOURS = ("#0b4f8a", "#1a7f37", "#9a6700", "#8fb8de", "#b42318", "#57606a")


def number(value) -> str:
    """`1,234,567.89` for amounts and ratios, `42` for counts."""
    value = Decimal(value)
    if value == value.to_integral_value() and value.as_tuple().exponent >= 0:
        return f"{value:,}"
    return f"{value:,.2f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _legend(series: list[tuple[str, str]]) -> list[str]:
    parts, x = [], LABEL_WIDTH
    for name, colour in series:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return parts


def _row(y: int, label: str, values, series, top: Decimal) -> list[str]:
    shown = [max(Decimal(v), Decimal(0)) for v in values]
    total = sum((Decimal(v) for v in values), Decimal(0))
    tip = "; ".join(f"{name}: {number(v)}" for (name, _c), v in zip(series, values, strict=True))
    parts = [
        f"<g><title>{escape(label)} — {escape(tip)}</title>",
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 12}" font-size="12" text-anchor="end">'
        f"{escape(_short(label))}</text>",
    ]
    x = Decimal(LABEL_WIDTH)
    for (_name, colour), value in zip(series, shown, strict=True):
        width = (value * BAR_AREA / top).quantize(Decimal("0.1")) if top else Decimal(0)
        if width:
            parts.append(f'<rect x="{x}" y="{y}" width="{width}" height="{BAR}" fill="{colour}"/>')
        x += width
    parts.append(f'<text x="{x + 6}" y="{y + 12}" font-size="12">{escape(number(total))}</text>')
    parts.append("</g>")
    return parts


def bar_chart(
    rows: list[tuple[str, list]], *, title: str, series: list[str] | None = None
) -> SafeString:
    """An SVG of one bar per row, `rows` being (label, [value per series]); with several
    series each bar is stacked and a legend names them. Negative values draw no bar but
    still count in the number printed after it."""
    names = series or [title]
    coloured = list(zip(names, COLOURS, strict=False))
    top = max(
        (sum((max(Decimal(v), Decimal(0)) for v in vs), Decimal(0)) for _l, vs in rows),
        default=Decimal(0),
    )
    offset = LEGEND if len(coloured) > 1 else 4
    height = offset + ROW * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{escape(title)}" '
        f'font-family="system-ui, sans-serif" fill="#1b1f24">',
        f"<title>{escape(title)}</title>",
    ]
    if len(coloured) > 1:
        parts += _legend(coloured)
    for index, (label, values) in enumerate(rows):
        parts += _row(offset + index * ROW, str(label), values, coloured, top)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()
