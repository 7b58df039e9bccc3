"""Time columns written as text: one reading of day and month per column, zones in UTC."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import howmuchdata as hmd
from howmuchdata.data import check_time, load_dataset
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import make_estimator

DAYS = pd.date_range("2024-01-01", periods=60, freq="D")


def stamps(values) -> list[str]:
    return [str(v)[:19] for v in pd.to_datetime(values)]


@pytest.mark.parametrize("layout", ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y %H:%M"])
def test_day_first_dates_are_all_read_day_first(layout):
    # 01/02/2024 is the first of February, like 13/02/2024: not the second of January
    parsed = check_time(pd.Series(DAYS.strftime(layout)), len(DAYS))
    assert stamps(parsed) == stamps(DAYS)


def test_month_first_and_iso_dates_are_read_as_before():
    us = check_time(pd.Series(DAYS.strftime("%m/%d/%Y")), len(DAYS))
    iso = check_time(pd.Series(DAYS.strftime("%Y-%m-%d")), len(DAYS))
    assert stamps(us) == stamps(iso) == stamps(DAYS)
    # without a day above 12 nothing says day first: the month-first reading stays
    assert stamps(check_time(pd.Series(["01/02/2024", "03/04/2024"]), 2)) == [
        "2024-01-02 00:00:00",
        "2024-03-04 00:00:00",
    ]


def test_iso_and_day_first_dates_in_one_column_keep_their_order():
    values = pd.Series(["2024-03-01 10:00", "01/03/2024 11:00", "13/03/2024"])
    assert stamps(check_time(values, 3)) == [
        "2024-03-01 10:00:00",
        "2024-03-01 11:00:00",
        "2024-03-13 00:00:00",
    ]


def test_day_first_and_month_first_dates_together_are_refused():
    values = pd.Series(["13/03/2024", "03/14/2024", "01/01/2024"])
    with pytest.raises(HowMuchDataError, match=r"day-first .*'13/03/2024'.*month-first"):
        check_time(values, 3, name="date")


def test_offsets_are_compared_in_utc():
    # across a daylight-saving change: +01:00 and +02:00 in one column
    values = pd.Series(
        ["2024-03-30T12:00:00+01:00", "2024-03-31T12:00:00+02:00", "2024-03-31T10:30:00+00:00"]
    )
    parsed = check_time(values, 3)
    assert np.issubdtype(parsed.dtype, np.datetime64)
    assert stamps(parsed) == ["2024-03-30 11:00:00", "2024-03-31 10:00:00", "2024-03-31 10:30:00"]


def test_time_zone_aware_stamps_become_utc_datetimes():
    aware = pd.Series(DAYS.tz_localize("Europe/Berlin"))
    parsed = check_time(aware, len(DAYS))
    assert np.issubdtype(parsed.dtype, np.datetime64)
    assert stamps(parsed)[0] == "2023-12-31 23:00:00"
    naive = check_time(pd.Series(DAYS), len(DAYS))
    assert stamps(naive) == stamps(DAYS)


def test_a_learning_curve_on_shuffled_day_first_dates_equals_the_one_on_dates(tmp_path):
    rng = np.random.default_rng(0)
    n = 400
    days = pd.date_range("2021-01-01", periods=n, freq="D")
    X = rng.normal(size=(n, 2))
    trend = np.arange(n) / n
    frame = pd.DataFrame(X, columns=["a", "b"])
    frame["y"] = X[:, 0] + 3 * trend * X[:, 1] + rng.normal(0, 0.3, n)
    frame["day"] = days.strftime("%d/%m/%Y")
    shuffled = frame.sample(frac=1, random_state=1)
    path = tmp_path / "sales.csv"
    shuffled.to_csv(path, index=False)

    def points(data):
        model = make_estimator("logreg", data)
        curve = hmd.learning_curve(
            model, data.X, data.y, time=data.time, sizes=[40, 80, 160], repeats=2, progress=False
        )
        return curve.points[["size", "repeat", "val_score"]].to_numpy()

    from_text = load_dataset(path, "y", time="day")
    from_dates = load_dataset(
        shuffled.assign(day=pd.to_datetime(shuffled["day"], dayfirst=True)), "y", time="day"
    )
    np.testing.assert_allclose(points(from_text), points(from_dates))


def test_numbers_written_as_text_are_numbers():
    # "10" is not a date: read as one, the order 1, 2, 10 would be lost or refused
    parsed = check_time(pd.Series(["1", "2", "10", "300"]), 4)
    assert parsed.tolist() == [1.0, 2.0, 10.0, 300.0]
    with pytest.raises(HowMuchDataError, match="not dates or numbers"):
        check_time(pd.Series(["1", "2", "soon"]), 3)


def test_day_first_dates_with_repeated_row_labels_are_read():
    # a time column taken from a frame whose index repeats (concatenated shops, say)
    values = pd.Series(["13/03/2024", "01/03/2024", "2024-03-02"], index=[0, 0, 1])
    assert stamps(check_time(values, 3)) == [
        "2024-03-13 00:00:00",
        "2024-03-01 00:00:00",
        "2024-03-02 00:00:00",
    ]
