"""``howmuchdata plan``: ``--point``, the rule named in the summary, and options in messages."""

from __future__ import annotations

import json

import pytest
from hmd_plan_args import BINARY

from howmuchdata.cli import main
from howmuchdata.cli.plan import as_flags, as_plan_flags
from howmuchdata.result import read_result


def _one_line(text: str) -> str:
    """The printed text with rich's wrapping undone."""
    return " ".join(text.split())


def test_point_prices_the_value_per_point_and_is_stored(run_dir, capsys):
    money = ["--target", "0.92", "--cost-per-label", "1", "--value-per-point", "2000"]
    assert main(["plan", str(run_dir), *money, "--no-report"]) == 0
    default = read_result(run_dir)["plan"]
    assert default["economics"]["point"] == 0.01
    assert "per 0.01 of the metric (--point" in _one_line(capsys.readouterr().out)
    assert main(["plan", str(run_dir), *money, "--point", "0.02", "--no-report"]) == 0
    wider = read_result(run_dir)["plan"]
    assert wider["economics"]["point"] == 0.02
    printed = _one_line(capsys.readouterr().out)
    assert "Value per point: 2,000.00 per 0.02 of the metric (--point" in printed
    # a point twice as wide is half as many points: half the value and the points per 1k labels
    by_size = {row["size"]: row for row in default["table"]}
    for row in wider["table"][1:]:
        assert row["value"] == pytest.approx(by_size[row["size"]]["value"] / 2)
        assert row["gain_per_1000"] == pytest.approx(by_size[row["size"]]["gain_per_1000"] / 2)


def test_point_without_a_value_per_point_still_says_what_a_point_is(run_dir, capsys):
    assert main(["plan", str(run_dir), "--point", "0.5", "--no-report"]) == 0
    printed = _one_line(capsys.readouterr().out)
    assert "One point is 0.5 of the metric (--point; the unit of pts/1k labels)." in printed
    # the negative case: the default point and no value per point add no line
    assert main(["plan", str(run_dir), "--no-report"]) == 0
    assert "(--point)" not in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf"])
def test_a_bad_point_exits_2_with_one_line_naming_it(run_dir, bad, capsys):
    before = json.loads((run_dir / "result.json").read_text())
    assert main(["plan", str(run_dir), "--target", "0.92", "--point", bad]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"--point {float(bad)!r} is not a positive finite number" in err
    assert "pass the metric units in one point, e.g. --point 0.01" in err
    assert json.loads((run_dir / "result.json").read_text()) == before  # stored work untouched


def test_point_is_refused_before_data(capsys):
    assert main([*BINARY, "--point", "0.01"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--point applies only to a plan from a measured curve (RUN_DIR)" in err


@pytest.mark.parametrize(
    ("extra", "rule_has"),
    [
        (["--target", "0.92"], "LCDB-calibrated purchase rule for 1 round(s) left"),
        (
            ["--target", "0.92", "--rounds", "3"],
            "LCDB-calibrated purchase rule for 3 round(s) left",
        ),
        (["--target", "0.92", "--cost-per-label", "1", "--penalty", "1e5"], "penalty"),
        (["--target", "0.90"], "the target is already expected: buy nothing"),
    ],
)
def test_the_summary_names_the_rule_that_chose_the_labels(run_dir, extra, rule_has, capsys):
    assert main(["plan", str(run_dir), *extra, "--no-report"]) == 0
    rule = read_result(run_dir)["plan"]["next_round"]["rule"]
    assert rule_has in rule
    # the same words as result.json's next_round.rule, on the line after the purchase
    printed = _one_line(capsys.readouterr().out)
    assert f"Rule: {rule}" in printed
    assert printed.index("Next round:") < printed.index("Rule:")


def test_no_rule_line_without_a_purchase(run_dir, capsys):
    # without a target nothing is bought, so no rule chose a purchase
    assert main(["plan", str(run_dir), "--no-report"]) == 0
    assert "rule" not in read_result(run_dir)["plan"]["next_round"]
    assert "Rule:" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("message", "flags"),
    [
        ("pool=0.0 is not positive", "--pool 0.0 is not positive"),
        ("pool=nan is not positive", "--pool nan is not positive"),
        ("pool=-5.0 is not positive", "--pool -5.0 is not positive"),
        ("prevalence=1.7 is outside (0, 1)", "--prevalence 1.7 is outside (0, 1)"),
        ("r2_cs=0.35 is not below", "--r2-cs 0.35 is not below"),
        ("pass sd=...", "pass --sd ..."),
        ("one of r2_cs, r2_nagelkerke", "one of --r2-cs, --r2-nagelkerke"),
    ],
)
def test_as_flags_spells_keywords_as_options_are_typed(message, flags):
    assert as_flags(message) == flags


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pool", "0"], "--pool 0.0 is not positive"),
        (["--pool", "nan"], "--pool nan is not positive"),
    ],
)
def test_a_bad_before_data_value_reads_as_the_option_is_typed(extra, message, capsys):
    assert main([*BINARY, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "=" not in err and len(err.splitlines()) == 1


def test_a_bad_prevalence_reads_as_the_option_is_typed(capsys):
    args = [*BINARY[:5], "1.7", *BINARY[6:]]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "--prevalence 1.7 is outside (0, 1)" in err and "prevalence=" not in err


@pytest.mark.parametrize(
    ("python_words", "cli_words"),
    [
        (
            "cost_per_label=-2.0 is negative or missing; pass cost_per_label >= 0",
            "--cost-per-label -2.0 is negative or missing; pass --cost-per-label >= 0",
        ),
        ("pass max_size=1600 or more", "pass --max-size 1600 or more"),
        ("rounds=0 is below 1", "--rounds 0 is below 1"),
        # plain words stay words; only an assigned value makes them an option
        ("the penalty and the budget", "the penalty and the budget"),
    ],
)
def test_plan_messages_read_as_the_options_are_typed(python_words, cli_words):
    assert as_plan_flags(python_words) == cli_words


def test_a_plan_of_a_run_with_several_curves_says_which_it_read(run_dir, capsys):
    from howmuchdata.result import update_result

    assert main(["plan", str(run_dir), "--target", "0.92", "--no-report"]) == 0
    assert "the first curve of the run" not in capsys.readouterr().out  # one curve: nothing to say
    result = read_result(run_dir)
    better = [{**p, "model": "hgb", "val_score": p["val_score"] + 0.01} for p in result["points"]]
    update_result(
        run_dir,
        "curve",
        points=result["points"] + better,
        curves=[*result["curves"], {**result["curves"][0], "model": "hgb"}],
    )
    assert main(["plan", str(run_dir), "--target", "0.92", "--no-report"]) == 0
    printed = _one_line(capsys.readouterr().out)
    assert (
        "Planned for logreg, the first curve of the run; pass --model to plan for another (hgb)."
        in printed
    )
    assert main(["plan", str(run_dir), "--target", "0.92", "--model", "hgb", "--no-report"]) == 0
    assert "the first curve of the run" not in capsys.readouterr().out
