"""result.json across commands: per-model sections merge by model, findings by check, and a
derived section whose curve changed is kept but marked stale (and left out of the report)."""

from __future__ import annotations

import json

import pytest

from howmuchdata.report import build_report
from howmuchdata.report.runview import read_run
from howmuchdata.report.summary import answer, markdown_summary
from howmuchdata.result import read_result, update_result

SIZES = (50, 100, 200, 400)


def points(model: str, *, offset: float = 0.0, repeats: int = 2) -> list[dict]:
    return [
        {
            "model": model,
            "size": size,
            "repeat": repeat,
            "val_score": 0.9 - 2.0 * size**-0.5 + offset + 0.001 * repeat,
            "train_score": 0.99,
            "status": "ok",
        }
        for size in SIZES
        for repeat in range(repeats)
    ]


def meta(model: str) -> dict:
    return {"model": model, "scoring": "accuracy", "greater_is_better": True, "n_samples": 1000}


def extrapolation(level: float) -> dict:
    return {"asymptote": level, "grid": {"size": [50, 5000], "mean": [0.6, level]}}


def finding(kind: str, model: str | None = None) -> dict:
    evidence = {"size": 400} if model is None else {"model": model, "size": 400}
    return {"kind": kind, "severity": "info", "evidence": evidence, "advice": f"{kind} {model}"}


def kinds(result: dict) -> list[tuple[str, str | None]]:
    return sorted((f["kind"], f["evidence"].get("model")) for f in result["findings"])


@pytest.fixture
def two_models(tmp_path):
    """`curve --model logreg --model rf` with the curve findings of both."""
    update_result(
        tmp_path,
        "curve",
        points=points("logreg") + points("rf", offset=-0.02),
        curves=[meta("logreg"), meta("rf")],
        extrapolation={"logreg": extrapolation(0.9), "rf": extrapolation(0.88)},
        findings=[finding("saturated", "logreg"), finding("data_limited", "rf")],
    )
    return tmp_path


def test_a_model_measured_again_replaces_its_own_entries_and_keeps_the_others(two_models):
    update_result(
        two_models,
        "diagnose",
        points=points("rf", offset=0.01, repeats=3),
        curves=[meta("rf")],
        findings=[finding("label_noise")],
        checks=["label_noise", "data_limited", "overfitting"],
    )
    result = read_result(two_models)
    by_model = {m: [p for p in result["points"] if p["model"] == m] for m in ("logreg", "rf")}
    assert len(by_model["logreg"]) == 8 and len(by_model["rf"]) == 12  # 2 and 3 repeats
    assert [c["model"] for c in result["curves"]] == ["logreg", "rf"]  # order kept
    # rf's old extrapolation went with its old points; logreg's stays
    assert set(result["extrapolation"]) == {"logreg"}
    # rf's data_limited was read from the replaced curve; logreg's finding stays
    assert kinds(result) == [("label_noise", None), ("saturated", "logreg")]
    assert result["commands"] == ["curve", "diagnose"]


def test_data_checks_without_a_curve_keep_the_curve_findings(two_models):
    update_result(two_models, "diagnose", findings=[finding("label_noise")], checks=["label_noise"])
    result = read_result(two_models)
    assert kinds(result) == [
        ("data_limited", "rf"),
        ("label_noise", None),
        ("saturated", "logreg"),
    ]
    assert len(result["points"]) == 16


def test_a_check_that_ran_replaces_its_findings_even_when_it_finds_nothing(two_models):
    update_result(two_models, "diagnose", findings=[finding("label_noise")], checks=["label_noise"])
    update_result(two_models, "diagnose", findings=[], checks=["label_noise", "duplicates"])
    assert ("label_noise", None) not in kinds(read_result(two_models))
    # a check that did not run keeps its finding
    update_result(two_models, "diagnose", findings=[finding("duplicates")], checks=["duplicates"])
    update_result(two_models, "diagnose", findings=[], checks=["imbalance"])
    assert ("duplicates", None) in kinds(read_result(two_models))


def test_a_curve_finding_that_names_no_curve_goes_when_a_curve_changes(tmp_path):
    update_result(tmp_path, "diagnose", points=points("logreg"), findings=[finding("overfitting")])
    update_result(tmp_path, "diagnose", findings=[finding("label_noise")], checks=["label_noise"])
    assert ("overfitting", None) in kinds(read_result(tmp_path))  # no curve changed
    update_result(tmp_path, "compare", points=points("logreg", offset=0.05))
    assert kinds(read_result(tmp_path)) == [("label_noise", None)]


def test_extrapolate_alone_replaces_only_the_models_it_fits(two_models):
    update_result(two_models, "extrapolate", extrapolation={"rf": extrapolation(0.95)})
    result = read_result(two_models)
    assert result["extrapolation"]["rf"]["asymptote"] == 0.95
    assert result["extrapolation"]["logreg"]["asymptote"] == 0.9
    assert len(result["points"]) == 16


def plan(model: str) -> dict:
    return {
        "kind": "from_curve",
        "model": model,
        "target": 0.97,
        "advice": [f"plan advice for {model}"],
        "next_round": {"size": 800, "labels": 400, "cost": 2000, "p_reach": 0.4},
    }


def test_a_plan_from_a_curve_measured_again_is_marked_stale_and_not_shown(two_models):
    update_result(two_models, "plan", plan=plan("logreg"))
    update_result(two_models, "diagnose", points=points("logreg", offset=0.03), findings=[])
    result = read_result(two_models)
    assert result["plan"]["model"] == "logreg"  # kept, not dropped
    assert "logreg" in result["stale"]["plan"] and "`diagnose`" in result["stale"]["plan"]
    assert "rerun `howmuchdata plan` on this folder" in result["stale"]["plan"]
    view = read_run(result)
    assert view.plan is None
    assert "plan" not in {s.key for s in answer(view)}
    summary = markdown_summary(view)
    assert "plan advice for logreg" not in summary and "## Plan" not in summary
    assert "Out of date, so not shown: the plan was computed from the curve of logreg" in summary
    page = build_report(two_models, pngs=False).html.read_text()
    assert "plan advice for logreg" not in page and 'id="section-plan"' not in page
    assert "Out of date, so not shown" in page
    # planning again renews it
    update_result(two_models, "plan", plan=plan("logreg"))
    assert "stale" not in read_result(two_models)


def test_a_plan_stays_current_when_another_curve_or_the_same_points_come_again(two_models):
    update_result(two_models, "plan", plan=plan("logreg"))
    update_result(two_models, "diagnose", points=points("rf", offset=0.03), findings=[])
    # the same points and fit again (a rerun reading its points back from the store)
    update_result(
        two_models,
        "curve",
        points=points("logreg"),
        extrapolation={"logreg": extrapolation(0.9)},
        findings=[],
    )
    update_result(two_models, "extrapolate", extrapolation={"logreg": extrapolation(0.9)})
    result = read_result(two_models)
    assert "stale" not in result
    view = read_run(result)
    assert view.plan is not None
    assert "Planned on the curve of logreg. plan advice for logreg" in markdown_summary(view)
    statement = next(s for s in answer(view) if s.key == "plan")
    assert statement.text.startswith("The plan for logreg: buy 400 more labels")


def test_a_new_extrapolation_of_the_planned_curve_makes_the_plan_stale(two_models):
    update_result(two_models, "plan", plan=plan("logreg"))
    update_result(two_models, "extrapolate", extrapolation={"logreg": extrapolation(0.93)})
    assert "plan" in read_result(two_models)["stale"]


def test_the_labels_saved_table_is_stale_when_a_strategy_curve_changes(tmp_path):
    rows = [
        {"strategy": s, "target": 0.9, "labels": n, "labels_lo": n, "labels_hi": n,
         "baseline_labels": 400, "ratio": 400 / n}
        for s, n in (("baseline", 400), ("simpler:knn", 200))
    ]  # fmt: skip
    comparison = {"baseline": "baseline", "strategies": [{"name": "simpler:knn"}]}
    update_result(
        tmp_path,
        "compare",
        points=points("baseline") + points("simpler:knn"),
        labels_saved=rows,
        comparison=comparison,
    )
    update_result(tmp_path, "plan", plan={"kind": "before_data", "minimum_sample_size": {}})
    update_result(tmp_path, "curve", points=points("logreg"), findings=[])  # another model
    assert "stale" not in read_result(tmp_path)
    update_result(tmp_path, "curve", points=points("simpler:knn", offset=0.02), findings=[])
    result = read_result(tmp_path)
    assert set(result["stale"]) == {"labels_saved", "comparison"}  # the plan read no curve
    assert "howmuchdata compare" in result["stale"]["labels_saved"]
    view = read_run(result)
    assert view.labels_saved == [] and view.comparison == {}
    summary = markdown_summary(view)
    assert "## Labels saved" not in summary
    assert summary.count("Out of date, so not shown") == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "the file holds a list, not an object"),
        ('"x"', "the file holds the string 'x', not an object"),
        ('{"schema_version": "1"}', "schema_version is the string '1', not an integer"),
        ('{"schema_version": true}', "schema_version is a boolean, not an integer"),
        ("{}", "it has no schema_version"),
        ('{"schema_version": 1, "points": "x"}', "points is the string 'x', not a list of objects"),
        ('{"schema_version": 1, "points": [1]}', "points is a list, not a list of objects"),
        ('{"schema_version": 1, "points": [{"model": "m"}]}', "points[0].size is null"),
        ('{"schema_version": 1, "points": [{"size": "a"}]}', "points[0].size is the string 'a'"),
        (
            '{"schema_version": 1, "points": [{"size": 5, "val_score": "high"}]}',
            "points[0].val_score is the string 'high', not a number or null",
        ),
        ('{"schema_version": 1, "extrapolation": {"m": 3}}', "not an object of objects"),
        ('{"schema_version": 1, "findings": {}}', "findings is an object, not a list"),
        ('{"schema_version": 1, "plan": []}', "plan is a list, not an object"),
        ('{"schema_version": 1, "commands": "curve"}', "commands is the string 'curve'"),
    ],
)
def test_a_result_of_the_wrong_shape_is_one_line_naming_the_problem(tmp_path, content, problem):
    (tmp_path / "result.json").write_text(content)
    with pytest.raises(ValueError) as err:  # HowMuchDataError is a ValueError
        read_result(tmp_path)
    message = str(err.value)
    assert type(err.value).__name__ == "HowMuchDataError" and "\n" not in message
    assert message.startswith(f"{tmp_path / 'result.json'} is not a howmuchdata result (")
    assert problem in message and message.endswith("rerun the command that wrote it")


def test_valid_results_still_read(tmp_path):
    good = {
        "schema_version": 1,
        "points": [{"model": "m", "size": 10, "val_score": None, "train_score": "inf"}],
        "extrapolation": {"m": {"error": "flat"}},
        "findings": [{"kind": "new_kind", "evidence": [1, 2]}],  # the report shows odd ones
        "plan": None,
    }
    (tmp_path / "result.json").write_text(json.dumps(good))
    result = read_result(tmp_path)
    assert "plan" not in result and result["points"][0]["size"] == 10
    newer = {"schema_version": 99, "points": "a new shape"}
    (tmp_path / "result.json").write_text(json.dumps(newer))
    with pytest.raises(ValueError, match="schema_version 99, this howmuchdata reads up to 1"):
        read_result(tmp_path)


@pytest.mark.parametrize("command", ["report", "plan", "extrapolate"])
@pytest.mark.parametrize("content", ["[]", '{"schema_version": "1"}', '{"schema_version": 1, "points": "x"}'])  # fmt: skip
def test_commands_on_a_corrupt_result_exit_2_with_one_line(tmp_path, capsys, command, content):
    from howmuchdata.cli import main

    (tmp_path / "result.json").write_text(content)
    assert main([command, str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a howmuchdata result" in err
    assert "Traceback" not in err


def test_the_same_curve_measured_again_keeps_its_extrapolate_answers(two_models):
    answers = {"level": 0.8, "at": [{"size": 2000, "score": 0.9, "lo": 0.88, "hi": 0.92}]}
    update_result(
        two_models, "extrapolate", extrapolation={"rf": {**extrapolation(0.88), "answers": answers}}
    )
    # diagnose re-reads rf's identical points from the store: what extrapolate answered stays
    update_result(
        two_models, "diagnose", points=points("rf", offset=-0.02), curves=[meta("rf")],
        extrapolation={"rf": extrapolation(0.88)},
    )  # fmt: skip
    assert read_result(two_models)["extrapolation"]["rf"]["answers"] == answers
    # measured again with other scores, the old answers no longer hold
    update_result(
        two_models, "diagnose", points=points("rf", offset=-0.05), curves=[meta("rf")],
        extrapolation={"rf": extrapolation(0.85)},
    )  # fmt: skip
    assert "answers" not in read_result(two_models)["extrapolation"]["rf"]
