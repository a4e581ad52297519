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


def test_the_middle_date_label_sits_at_the_middle_of_the_time_axis():
    # A pilot's months, then years of nothing, then the recent months: the middle point (by index) lies near the
    # start, and its label would print over the first one.
    days = [date(2020, 11, 30), date(2020, 12, 31), date(2021, 1, 31), date(2021, 2, 28), date(2023, 12, 1)]
    days += [date(2026, 10, 31), date(2026, 11, 29)]
    chart = charts.line([(day, 1000 + n) for n, day in enumerate(days)])
    labels = [tick["value"] for tick in chart["x_ticks"]]
    assert labels == [date(2020, 11, 30), date(2023, 12, 1), date(2026, 11, 29)]


def test_no_middle_date_label_when_the_points_near_the_middle_crowd_an_end():
    # Months of a pilot, five years of nothing, one recent count: the point nearest the middle is near the start.
    days = [date(2020, 11, 30), date(2020, 12, 31), date(2021, 3, 30), date(2026, 11, 29)]
    chart = charts.line([(day, 1000 + n) for n, day in enumerate(days)])
    assert [tick["value"] for tick in chart["x_ticks"]] == [date(2020, 11, 30), date(2026, 11, 29)]


def test_one_point_has_one_date_label():
    assert [tick["value"] for tick in charts.line([(date(2026, 11, 29), 14_500)])["x_ticks"]] == [date(2026, 11, 29)]
