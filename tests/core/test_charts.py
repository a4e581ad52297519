"""The one chart module: coordinates that scale to a round top, for ints, floats and Decimals alike."""

from datetime import date
from decimal import Decimal

from core import charts


def test_a_line_scales_to_a_round_top_and_spreads_dates_to_scale():
    chart = charts.line([(date(2027, 1, 1), 10), (date(2027, 1, 2), 30), (date(2027, 1, 11), 45)])
    assert [tick["value"] for tick in chart["y_ticks"]] == [0, 25, 50]
    (points,) = chart["lines"]
    xs = [float(point.split(",")[0]) for point in points.split()]
    assert xs[0] == charts.LEFT and xs[-1] == charts.WIDTH - charts.RIGHT
    assert xs[1] - xs[0] == (xs[2] - xs[0]) / 10  # one day of ten


def test_two_lines_of_amounts_share_one_scale():
    rows = [
        (date(2027, 1, 1), Decimal("98.56"), Decimal("400.00")),
        (date(2027, 2, 1), Decimal("197.12"), Decimal("800.00")),
    ]
    chart = charts.line(rows, lines=2)
    assert len(chart["lines"]) == 2 and chart["y_ticks"][-1]["value"] == 1000
    assert charts.line([])["lines"] == []


def test_columns_label_at_most_about_eight_bars():
    chart = charts.columns([(f"week {n}", n % 3) for n in range(26)])
    assert len(chart["bars"]) == 26
    assert sum(1 for bar in chart["bars"] if bar["label"]) <= 9
    assert chart["bars"][0]["height"] == 0


def test_bars_are_proportional_and_never_vanish():
    chart = charts.bars([("Vaccination", Decimal("300.00")), ("Sport", Decimal("150.00")), ("None", 0)])
    widths = [bar["width"] for bar in chart["bars"]]
    assert widths[0] == 2 * widths[1] and widths[2] == 1
