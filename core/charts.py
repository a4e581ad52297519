"""Server-side SVG charts for every page and the PDF report: coordinates here, drawing in templates/charts/.
No JavaScript; each chart has a data table beside it as its text alternative. Colours are SVG attributes,
not CSS, so the PDF needs no stylesheet to look the same. Values may be ints, floats or Decimals."""

from __future__ import annotations

from datetime import date, datetime

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 72, 16, 12, 28
MIDDLE_LABEL_ROOM = 0.2  # a middle date label keeps a fifth of the axis from either end's


def _nice_top(value: float) -> float:
    """A round number at or above ``value`` for the top of the y axis (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _moment(value) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).timestamp()
    return float(value)


def line(series: list[tuple], lines: int = 1) -> dict:
    """``series`` rows are (x, y1[, y2…]) with x a date or datetime: one polyline per y, x to scale."""
    chart = {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "base": HEIGHT - BOTTOM}
    if not series:
        return chart | {"lines": [], "y_ticks": [], "x_ticks": []}
    series = [(row[0], *(float(v) for v in row[1:])) for row in series]
    top = _nice_top(max(max(row[1:]) for row in series))
    first, last = _moment(series[0][0]), _moment(series[-1][0])
    span = (last - first) or 1
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(row):
        return LEFT + (_moment(row[0]) - first) / span * inner_w if len(series) > 1 else LEFT + inner_w / 2

    def y(value):
        return TOP + inner_h - value / top * inner_h

    polylines = [" ".join(f"{x(row):.1f},{y(row[n]):.1f}" for row in series) for n in range(1, lines + 1)]
    # The middle label at the middle of the time axis (the point nearest to it), not the middle point: points
    # bunched in time (a pilot's months, then years later) would put two labels on top of each other.
    middle = min(series[1:-1], key=lambda row: abs(_moment(row[0]) - (first + last) / 2)) if len(series) > 2 else None
    if middle is not None and not MIDDLE_LABEL_ROOM < (_moment(middle[0]) - first) / span < 1 - MIDDLE_LABEL_ROOM:
        middle = None  # nothing near the middle (a gap of years): a label there would overlap an end's
    ends = [series[0], series[-1]] if len(series) > 1 else series
    x_rows = [series[0], middle, series[-1]] if middle is not None else ends
    return chart | {
        "lines": polylines,
        "points": [(round(x(row), 1), round(y(row[1]), 1)) for row in series] if len(series) <= 60 else [],
        "y_ticks": [{"y": round(y(top * f), 1), "value": top * f} for f in (0, 0.5, 1)],
        # The outer labels are anchored inwards so they aren't cut off at the chart's edges.
        "x_ticks": [
            {
                "x": round(x(row), 1),
                "value": row[0],
                "anchor": "start" if i == 0 else "end" if i == len(x_rows) - 1 else "middle",
            }
            for i, row in enumerate(x_rows)
        ],
    }


def columns(rows: list[tuple]) -> dict:
    """Vertical bars, one per (label, value), e.g. posts per week."""
    chart = {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "base": HEIGHT - BOTTOM}
    if not rows:
        return chart | {"bars": [], "y_ticks": []}
    rows = [(label, float(value)) for label, value in rows]
    top = _nice_top(max(value for _, value in rows))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / len(rows)
    every = max(1, len(rows) // 8)  # at most about eight labels under the bars
    return chart | {
        "bars": [
            {
                "x": round(LEFT + i * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(TOP + inner_h - value / top * inner_h, 1),
                "height": round(value / top * inner_h, 1),
                "label": label if i % every == 0 else "",
                "label_x": round(LEFT + i * slot + slot / 2, 1),
            }
            for i, (label, value) in enumerate(rows)
        ],
        "y_ticks": [{"y": round(TOP + inner_h - f * inner_h, 1), "value": top * f} for f in (0, 0.5, 1)],
    }


def bars(rows: list[tuple]) -> dict:
    """Horizontal bars, one per (label, value), e.g. median views per topic."""
    height = 26
    top = float(max((value or 0 for _, value in rows), default=0)) or 1
    return {
        "width": WIDTH,
        "height": max(len(rows), 1) * height + 8,
        "bars": [
            {
                "y": 4 + i * height,
                "text_y": 4 + i * height + 17,
                "width": round(max(float(value or 0) / top * (WIDTH - 300), 1), 1),
                "value_x": round(max(float(value or 0) / top * (WIDTH - 300), 1) + 236, 1),
                "label": label,
                "value": value,
            }
            for i, (label, value) in enumerate(rows)
        ],
    }
