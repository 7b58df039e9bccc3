"""drift on forecasting tables: calendar columns, tied time stamps, zones, rare categories."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from howmuchdata.data import load_dataset
from howmuchdata.diagnose import diagnose


def sales(n: int = 900, seed: int = 0, *, shift: bool = False) -> pd.DataFrame:
    """Daily rows with calendar columns; with ``shift`` the price level moves in the last third
    (the rule linking price to units stays)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2020-01-01", periods=n, freq="D")
    price = rng.normal(size=n)
    if shift:
        price[2 * n // 3 :] += 2.0
    promo = rng.normal(size=n)
    frame = pd.DataFrame({"price": price, "promo": promo})
    frame["units"] = 2 * price - promo + rng.normal(0, 0.5, n)
    frame["t"] = np.arange(n)  # a row counter
    frame["year"] = days.year  # a step that only rises
    frame["date"] = days
    return frame


def test_calendar_columns_alone_are_not_drift():
    # the year and a row counter tell old rows from new ones by construction (AUC 1.0)
    data = load_dataset(sales(), "units", time="date")
    assert diagnose(X=data, checks=["drift"]) == []


def test_a_shifted_feature_is_still_found_beside_calendar_columns():
    data = load_dataset(sales(shift=True), "units", time="date")
    (finding,) = diagnose(X=data, checks=["drift"])
    evidence = finding.evidence
    assert evidence["adversarial_auc"] > 0.65  # the drift_auc threshold
    assert evidence["most_shifted_features"][0]["feature"] == "price"
    assert set(evidence["time_like_features"]) == {"t", "year"}
    assert not {"t", "year"} & {f["feature"] for f in evidence["most_shifted_features"]}


def drifting_stores(days: int = 101, stores: int = 7, seed: int = 0) -> pd.DataFrame:
    """``stores`` rows a day, in store order; the rule changes for the last third of the days."""
    rng = np.random.default_rng(seed)
    n = days * stores
    x = rng.normal(size=(n, 2))
    late = np.repeat(np.arange(days) >= 2 * days // 3, stores)
    units = np.where(late, -3 * x[:, 0], 3 * x[:, 0]) + x[:, 1] + rng.normal(0, 0.3, n)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "units": units})
    frame["day"] = np.repeat(pd.date_range("2023-01-01", periods=days).strftime("%Y-%m-%d"), stores)
    return frame


def test_validation_takes_every_row_of_its_first_day():
    frame = drifting_stores()
    data = load_dataset(frame, "units", time="day")
    (finding,) = diagnose(X=data, checks=["drift"])
    evidence = finding.evidence
    # 20% of 707 rows is 141, which starts within day 80 (rows 560-566): all of it validates
    assert evidence["validation"] == "the newest 147 rows"
    assert evidence["recent_only"][-1]["size"] == 560  # every older row, none of day 80
    assert finding.severity == "critical"


def test_validation_of_untied_time_stamps_is_the_newest_fifth():
    frame = drifting_stores(days=707, stores=1)
    data = load_dataset(frame, "units", time="day")
    (finding,) = diagnose(X=data, checks=["drift"])
    assert finding.evidence["validation"] == "the newest 141 rows"


def test_time_zone_aware_stamps_give_a_finding_with_a_date():
    frame = drifting_stores(days=300, stores=1)
    frame["day"] = pd.to_datetime(frame["day"]).dt.tz_localize("UTC")
    data = load_dataset(frame, "units", time="day")
    (finding,) = diagnose(X=data, checks=["drift"])
    assert finding.evidence["best_window_starts"].startswith("2023-")


def test_a_rare_category_at_the_same_rate_in_both_halves_warns_nothing():
    rng = np.random.default_rng(0)
    n = 2000
    shop = rng.choice(["north", "south"], n).astype(object)
    shop[:23] = "kiosk"  # 23 of the first 1,000 rows and 24 of the last: KS's exact method fails
    shop[1000:1024] = "kiosk"
    frame = pd.DataFrame({"x": rng.normal(size=n), "shop": shop})
    frame["y"] = frame["x"] + rng.normal(0, 0.5, n)
    frame["t"] = np.arange(n, dtype=float)
    data = load_dataset(frame, "y", time="t")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diagnose(X=data, checks=["drift"])
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "ks_2samp" in m], messages


def test_injected_drift_is_the_same_from_day_first_text_as_from_iso_dates():
    frame = drifting_stores(days=600, stores=1).sample(frac=1, random_state=0)
    findings = {}
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        text = frame.assign(day=pd.to_datetime(frame["day"]).dt.strftime(layout))
        (findings[layout],) = diagnose(X=load_dataset(text, "units", time="day"), checks=["drift"])
    iso, day_first = findings["%Y-%m-%d"], findings["%d/%m/%Y"]
    # the rule changes on day 400 (2024-02-05); the window kept starts after it
    assert iso.evidence["best_window_starts"] >= "2024-02-05"
    assert "drop or down-weight" in iso.advice
    assert day_first.evidence == iso.evidence
