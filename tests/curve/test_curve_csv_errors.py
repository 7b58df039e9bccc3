"""A CSV that pandas cannot tokenize is named by its line and what is wrong there: an
unclosed quote, a line with more fields than the header."""

from __future__ import annotations

import pytest

from howmuchdata.cli import main
from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError

GOOD_LINES = [f"{i},{'abc'[i % 3]},{i % 2}" for i in range(40)]


def csv_with(tmp_path, bad_line: str, at: int, *, sep: str = ",", name: str = "t.csv"):
    """A 40-row CSV whose data line ``at`` (0-based, after the header) is ``bad_line``."""
    lines = [line.replace(",", sep) for line in GOOD_LINES]
    lines[at] = bad_line
    path = tmp_path / name
    path.write_text(sep.join(["a", "b", "y"]) + "\n" + "\n".join(lines) + "\n")
    return path


def test_unclosed_quote_is_named_by_the_line_it_opens_on(tmp_path):
    path = csv_with(tmp_path, '7,"b,1', at=7)
    with pytest.raises(HowMuchDataError) as excinfo:
        load_dataset(path, target="y")
    message = str(excinfo.value)
    assert "line 9 never closes" in message  # the header is line 1, data line 7 is line 9
    assert "close the quote or remove it" in message
    assert "C error" not in message


def test_extra_field_names_the_line_and_the_counts(tmp_path):
    path = csv_with(tmp_path, "12,b,0,oops", at=12)
    with pytest.raises(HowMuchDataError) as excinfo:
        load_dataset(path, target="y")
    message = str(excinfo.value)
    assert "line 14 of t.csv has 4 fields where the header has 3" in message
    assert "quote the field that holds a ','" in message


def test_semicolon_file_names_its_own_delimiter(tmp_path):
    path = csv_with(tmp_path, "3;b;0;9", at=3, sep=";")
    with pytest.raises(HowMuchDataError, match="holds a ';'"):
        load_dataset(path, target="y")


def test_cli_says_it_in_one_line_with_status_2(tmp_path, capsys):
    path = csv_with(tmp_path, '5,"b,1', at=5)
    assert main(["curve", str(path), "--target", "y", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "line 7 never closes" in err
    assert "Traceback" not in err


def test_a_well_formed_file_reads(tmp_path):
    path = csv_with(tmp_path, '7,"b, c",1', at=7)  # a quoted delimiter is fine
    dataset = load_dataset(path, target="y")
    assert len(dataset.X) == 40
    assert "b, c" in set(dataset.X["b"])
