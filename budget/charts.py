"""Server-side SVG charts: coordinates computed here, drawn by a template, with a data table beside
them as the text alternative. No JavaScript, and they print as they show."""

from decimal import Decimal

WIDTH, HEIGHT, PAD = 640, 240, 32


def spend_over_time(series: list[dict], amount: Decimal) -> dict:
    """Polylines for cumulative spend and the straight-line plan, scaled to the larger of the two."""
    if not series:
        return {"width": WIDTH, "height": HEIGHT, "spent": "", "plan": "", "ticks": []}
    top = max([amount, *(row["spent"] for row in series)]) or Decimal(1)
    step = (WIDTH - 2 * PAD) / max(len(series) - 1, 1)

    def point(index, value):
        x = PAD + index * step
        y = HEIGHT - PAD - float(value / top) * (HEIGHT - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "spent": " ".join(point(i, row["spent"]) for i, row in enumerate(series)),
        "plan": " ".join(point(i, row["plan"]) for i, row in enumerate(series)),
        "ticks": [{"x": PAD + i * step, "label": row["month"]} for i, row in enumerate(series)],
        "baseline": HEIGHT - PAD,
        "pad": PAD,
        "right": WIDTH - PAD,
    }


def bars(rows: list[dict], key: str, label: str) -> dict:
    """Horizontal bars for amounts per topic or per agency."""
    top = max((row[key] for row in rows), default=Decimal(0)) or Decimal(1)
    height = 28
    return {
        "width": WIDTH,
        "height": max(len(rows), 1) * height + 8,
        "bars": [
            {
                "y": 4 + i * height,
                "width": max(float(row[key] / top) * (WIDTH - 260), 1),
                "label": row[label] or "—",
                "value": row[key],
            }
            for i, row in enumerate(rows)
        ],
    }
