"""How CSV text is split into cells: the delimiter found from the first line, read by
pandas' C engine, and the same cells as pandas' own sniffing (python engine) would give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from howmuchdata.data import load_dataset
from howmuchdata.errors import HowMuchDataError


def _rows(n: int = 60) -> list[tuple[float, int, str, str]]:
    rng = np.random.default_rng(3)
    return [
        (float(rng.normal()) * 10.0 ** int(rng.integers(-8, 8)), i % 4, f"c{i % 3}", "ny"[i % 2])
        for i in range(n)
    ]


WRITERS = {
    "semicolons": lambda r: "a;b;c;y\n" + "".join(f"{a!r};{b};{c};{y}\n" for a, b, c, y in r),
    "pipes": lambda r: "a|b|c|y\n" + "".join(f"{a!r}|{b}|{c}|{y}\n" for a, b, c, y in r),
    "tabs": lambda r: "a\tb\tc\ty\n" + "".join(f"{a!r}\t{b}\t{c}\t{y}\n" for a, b, c, y in r),
    "quoted commas": lambda r: (
        "a,b,c,y\n" + "".join(f'{a!r},"{b},{b}","say ""{c}""",{y}\n' for a, b, c, y in r)
    ),
    "windows line ends": lambda r: (
        "a,b,c,y\r\n" + "".join(f"{a!r},{b},{c},{y}\r\n" for a, b, c, y in r)
    ),
}


@pytest.mark.parametrize("case", sorted(WRITERS))
def test_cells_are_those_of_pandas_own_sniffing(tmp_path, case):
    path = tmp_path / "t.csv"
    path.write_text(WRITERS[case](_rows()))
    dataset = load_dataset(path, "y")
    sniffed = pd.read_csv(path, sep=None, engine="python")
    # every number to the last bit, every text cell as written
    pd.testing.assert_frame_equal(
        dataset.X.reset_index(drop=True),
        sniffed.drop(columns="y").astype(dataset.X.dtypes.to_dict()),
        check_exact=True,
    )
    assert list(dataset.y) == list(sniffed["y"])


def test_a_space_after_each_comma_is_not_part_of_the_names(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "age, weight, y\n" + "".join(f"{i}, {i * 2.5}, {'ny'[i % 2]}\n" for i in range(40))
    )
    dataset = load_dataset(path, "y")  # pandas' sniffing reads " y": not found
    assert list(dataset.X.columns) == ["age", "weight"]
    assert dataset.X["weight"].tolist() == [i * 2.5 for i in range(40)]


def test_blank_lines_before_the_header_are_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n\nx,y\n" + "".join(f"{i},{'ny'[i % 2]}\n" for i in range(40)))
    dataset = load_dataset(path, "y")  # pandas' sniffing fails on the blank first line
    assert list(dataset.X.columns) == ["x"] and len(dataset.y) == 40


def test_a_file_of_one_column_is_read_as_that_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("outcome\n" + "yes\nno\n" * 20)
    # the sniffer takes a letter of the header ('o') for the delimiter; the column is meant
    with pytest.raises(HowMuchDataError, match="has no feature columns left"):
        load_dataset(path, "outcome")
