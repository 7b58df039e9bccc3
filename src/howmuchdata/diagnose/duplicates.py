"""Exact and near duplicates, and the same sample under two group ids (leakage).

Exact duplicates are identical feature rows. Near duplicates are rows whose nearest neighbour
in the model's input space (scaled numbers, one-hot categories) is much closer than usual:
closer than ``near_duplicate_distance`` times the median nearest-neighbour distance. Rows
linked this way form duplicate sets (connected components). A set spread over several groups
is leakage: a group split puts copies of one sample on both sides.

A table of few, coarse columns repeats rows by itself. Exact repeats are taken as such, not as
copies, when chance alone gives at least half as many: :func:`chance_twins` for independent
rows, :func:`chance_twins_in_groups` when rows come in groups (visits of a patient repeat the
patient's covariates, so independent rows would be the wrong yardstick). Identical rows under
different group ids are leakage only when chance does not explain them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

from howmuchdata.diagnose._numbers import count, score_delta
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding

# Example sets named in the evidence.
SETS_IN_EVIDENCE = 20
# Above this many rows, near duplicates are searched in a PCA projection (see
# _near_pairs_projected): an exact query per row costs the square of the rows in many dimensions.
EXACT_QUERY_ROWS = 20_000
PROJECTED_DIMS = 8
SCALE_SAMPLE = 2_000
CRITICAL_SHARE = 0.10
# Exact copies are taken as a coarse table's natural repeats, not duplicates, when chance
# alone (independent columns, see chance_twins) gives at least this share of them.
CHANCE_EXPLAINS = 0.5
# Random tables behind chance_twins_in_groups: their mean is compared with half the observed
# count, so a few suffice; fewer above CHANCE_ROWS rows (each costs a hash of the table).
CHANCE_DRAWS = 20
CHANCE_ROWS = 2_000_000
# A numeric target's copies differ by noise: a set of them conflicts only when its labels lie
# further apart than this share of the target's standard deviation (any difference for classes).
REGRESSION_CONFLICT_SHARE = 0.10


class DuplicatesCheck:
    """Exact / near duplicate rows, label conflicts among them, and copies across groups."""

    name = "duplicates"
    kinds = ("duplicates", "leakage")
    requires = ("data", "table")

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        n = len(ctx.X)
        exact_key = ctx.feature_row_keys
        near_i, near_j, threshold = _near_pairs(ctx)
        # Link exact copies (same hash) and near pairs, then take connected components.
        order = np.argsort(exact_key, kind="stable")
        same = exact_key[order][1:] == exact_key[order][:-1]
        rows = np.concatenate([order[:-1][same], near_i])
        cols = np.concatenate([order[1:][same], near_j])
        graph = coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
        _, component = connected_components(graph, directed=False)
        sizes = np.bincount(component)
        in_set = sizes[component] > 1
        if not in_set.any():
            return []
        set_ids = np.unique(component[in_set])
        n_sets = set_ids.size
        extra = int(in_set.sum() - n_sets)  # copies beyond the first of each set
        n_exact_rows = int(pd.Series(exact_key).duplicated(keep=False).sum())

        frame = pd.DataFrame({"set": component, "y": ctx.y, "row": ctx.row_ids()})[in_set]
        tolerance = _conflict_tolerance(ctx)
        if tolerance is None:
            conflicting = frame.groupby("set")["y"].nunique() > 1
        else:
            labels = frame.groupby("set")["y"]
            conflicting = (labels.max() - labels.min()) > tolerance
        examples = [
            frame.loc[frame["set"] == s, "row"].tolist()[:10] for s in set_ids[:SETS_IN_EVIDENCE]
        ]
        share = extra / n
        by_chance = chance_twins(ctx.X)
        crossing = _exact_across_groups(ctx, exact_key)
        expected = by_chance if crossing is None else crossing.expected_exact_rows
        natural = n_exact_rows > 0 and expected >= CHANCE_EXPLAINS * n_exact_rows
        severity = (
            "info"
            if natural
            else "critical"
            if share >= CRITICAL_SHARE
            else "warning"
            if share >= ctx.options.duplicate_warning
            else "info"
        )
        evidence = {
            "n_rows": n,
            "n_duplicate_sets": int(n_sets),
            "n_extra_copies": extra,
            "extra_share": share,
            "n_rows_exact_duplicates": n_exact_rows,
            "n_rows_near_only": int(in_set.sum() - n_exact_rows),
            "n_sets_conflicting_labels": int(conflicting.sum()),
            "label_conflict_tolerance": tolerance,
            "near_distance_threshold": threshold,
            "expected_exact_rows_by_chance": by_chance,
            "by_chance": bool(natural),
            "example_sets": examples,
        }
        if crossing is not None:
            evidence["expected_exact_rows_by_chance_in_groups"] = crossing.expected_exact_rows
            evidence["n_rows_exact_across_groups"] = crossing.observed
            evidence["expected_rows_across_groups_by_chance"] = crossing.expected
            evidence["across_groups_by_chance"] = crossing.by_chance
        differ = (
            "different labels"
            if tolerance is None
            else (
                f"labels more than {score_delta(tolerance, False)} apart "
                f"({100 * REGRESSION_CONFLICT_SHARE:.0f}% of the target's standard deviation)"
            )
        )
        n_conflicting = int(conflicting.sum())
        carry = f"{count(n_conflicting)} {'set carries' if n_conflicting == 1 else 'sets carry'}"
        conflict = f"; {carry} {differ}, fix those first" if conflicting.any() else ""
        if natural:
            # a table of few, coarse columns (sex, class, age in years) repeats rows by itself:
            # removing them would remove real examples (leakage is judged on its own below)
            differ_sets = (
                f"; {carry} {differ}: rows these features cannot tell apart"
                if conflicting.any()
                else ""
            )
            independent = "independent" if crossing is None else "independent from group to group"
            advice = (
                f"keep the {count(n_exact_rows)} rows ({100 * n_exact_rows / n:.1f}%) that "
                "share every feature value with another row: chance gives about as many for "
                f"these columns ({count(expected)} if they were {independent}), so they are "
                f"repeats of a coarse table, not copies{differ_sets}"
            )
        else:
            advice = (
                f"remove {count(extra)} duplicate {'row' if extra == 1 else 'rows'} "
                f"({100 * share:.1f}% of the data, in {count(n_sets)} "
                f"{'set' if n_sets == 1 else 'sets'}): "
                f"{_inflate(ctx.split, _spans_groups(ctx, component, in_set))}{conflict}"
            )
        findings = [Finding("duplicates", severity, evidence, advice)]
        if crossing is not None:
            leak = _leakage(ctx, component, in_set, exact_key, crossing)
            if leak is not None:
                findings.append(leak)
        return findings


def chance_twins(X: pd.DataFrame) -> float:
    """How many rows would share every feature value with another row by chance alone.

    Each column's values are taken as drawn independently with their observed frequencies
    (a missing value is a value): a row whose values are shared by shares ``p_1 ... p_k`` of
    the other rows matches a given other row with probability ``m = p_1 * ... * p_k``, and
    has a twin among them with probability ``1 - (1 - m) ** (n - 1)``. The sum over rows is
    the expected number of rows in exact-duplicate sets: about 0 for a table with a measured
    number in any column, most rows for a few coarse columns (sex, class, age in years: 1,166
    of Titanic's 1,309 rows, against 1,194 observed).

    Parameters
    ----------
    X : pandas.DataFrame
        The feature table as given.

    Returns
    -------
    float
    """
    n = len(X)
    if n < 2 or X.shape[1] == 0:
        return 0.0
    match = np.ones(n)
    for column in X.columns:
        codes, _ = pd.factorize(X[column], use_na_sentinel=False)
        match *= ((np.bincount(codes) - 1) / (n - 1))[codes]  # among the other rows
        if not match.any():
            return 0.0
    return float(np.sum(-np.expm1((n - 1) * np.log1p(-np.minimum(match, 1 - 1e-12)))))


def chance_twins_in_groups(
    X: pd.DataFrame, groups: np.ndarray, *, draws: int = CHANCE_DRAWS, seed: int = 0
) -> tuple[float, float]:
    """How many rows would share every feature value with another row, and with a row of
    another group, by chance alone, when rows come in groups.

    :func:`chance_twins` for rows nested in groups (visits of patients). Each column is drawn
    independently of the others, a group at a time: a group takes each column's values from a
    donor group drawn at random among the other groups at least as large (its rows in random
    order, as many as the group has). What a group's rows share within a column survives (a
    covariate constant over a patient's visits stays constant, visit numbers stay distinct),
    and so do the repeats that makes within a group; what a copy is, every column of a row
    repeated under another group, does not. A group is never its own donor: the largest group
    would otherwise copy itself in every column and its own copies would pass for chance. With
    no other group as large, it draws from the largest other group, and its rows past that
    group's size from distinct rows of the remaining groups. The counts are averaged over
    ``draws`` such tables.

    Parameters
    ----------
    X : pandas.DataFrame
        The feature table as given (a missing value is a value).
    groups : numpy.ndarray
        Group of each row.
    draws : int
        Random tables averaged.
    seed : int
        Seed of the draws.

    Returns
    -------
    (float, float)
        Expected rows in exact-duplicate sets, and expected rows whose set spans groups.
    """
    n = len(X)
    if n < 2 or X.shape[1] == 0:
        return 0.0, 0.0
    codes = np.column_stack(
        [pd.factorize(X[column], use_na_sentinel=False)[0] for column in X.columns]
    )
    group, _ = pd.factorize(groups)
    sizes = np.bincount(group)
    if sizes.size < 2:  # one group: no donor but itself, so the rows count as independent
        return chance_twins(X), 0.0
    by_size = np.argsort(sizes, kind="stable")
    rank = np.empty_like(by_size)
    rank[by_size] = np.arange(sizes.size)
    # donors of a group: by_size[first_donor[g]:] without g itself, the other groups at least
    # as large; the largest group alone takes the largest other one
    first_donor = np.minimum(np.searchsorted(sizes[by_size], sizes, side="left"), sizes.size - 2)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    in_order = np.argsort(group, kind="stable")
    position = np.empty(n, dtype=int)
    position[in_order] = np.arange(n) - starts[group[in_order]]
    rng = np.random.default_rng(seed)
    totals = np.zeros(2)
    for _ in range(draws):
        shuffled = np.lexsort((rng.random(n), group))  # by group, random order within each
        table = np.empty_like(codes)
        for j in range(codes.shape[1]):
            pick = rng.integers(first_donor, sizes.size - 1)
            donor = by_size[pick + (pick >= rank)][group]
            rows = _donor_rows(position, group, donor, (shuffled, starts, sizes), rng)
            table[:, j] = codes[rows, j]
        key = pd.util.hash_pandas_object(pd.DataFrame(table), index=False).to_numpy()
        totals += _twins(key, group)
    return float(totals[0] / draws), float(totals[1] / draws)


def _donor_rows(
    position: np.ndarray,
    group: np.ndarray,
    donor: np.ndarray,
    in_order: tuple[np.ndarray, np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """The row each row takes its value from, in one column of a random table.

    A row takes the row at its own position in its donor group (``in_order``: the rows by
    group in random order, each group's start there, and its size). Where the donor is
    smaller (the largest group only), the rows past its size take distinct rows of the other
    groups, so that no value repeats within the column more often than in the data.
    """
    shuffled, starts, sizes = in_order
    beyond = position >= sizes[donor]
    rows = shuffled[starts[donor] + np.where(beyond, 0, position)]
    if beyond.any():
        owners = np.unique(np.concatenate([group[beyond], donor[beyond]]))
        elsewhere = np.flatnonzero(~np.isin(group, owners))
        if elsewhere.size == 0:
            elsewhere = np.flatnonzero(~np.isin(group, group[beyond]))
        need = int(beyond.sum())
        rows[beyond] = rng.choice(elsewhere, need, replace=need > elsewhere.size)
    return rows


def _twins(key: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Rows whose key another row shares, and rows whose key another group shares."""
    frame = pd.DataFrame({"key": key, "group": group})
    by_key = frame.groupby("key")["group"]
    shared = by_key.transform("size").to_numpy() > 1
    across = by_key.transform("nunique").to_numpy() > 1
    return np.array([shared.sum(), across.sum()], dtype=float)


@dataclass(frozen=True)
class _AcrossGroups:
    """Exact repeats under different group ids, seen and by chance (chance_twins_in_groups)."""

    observed: int  # rows whose identical rows include one of another group
    expected: float  # the same by chance
    expected_exact_rows: float  # rows in any exact-duplicate set, by chance
    by_chance: bool  # chance gives at least CHANCE_EXPLAINS of the observed rows across groups


def _exact_across_groups(ctx: DiagnosisContext, exact_key: np.ndarray) -> _AcrossGroups | None:
    """Exact repeats under different group ids, seen and by chance; ``None`` without groups."""
    if ctx.groups is None:
        return None
    group, _ = pd.factorize(ctx.groups)
    if not pd.Series(exact_key).duplicated().any():
        return _AcrossGroups(0, 0.0, 0.0, False)
    observed = int(_twins(exact_key, group)[1])
    draws = int(np.clip(CHANCE_ROWS // len(exact_key), 3, CHANCE_DRAWS))
    any_twin, across = chance_twins_in_groups(
        ctx.X, group, draws=draws, seed=ctx.options.random_state
    )
    by_chance = observed > 0 and across >= CHANCE_EXPLAINS * observed
    return _AcrossGroups(observed, across, any_twin, by_chance)


def _spans_groups(ctx: DiagnosisContext, component: np.ndarray, in_set: np.ndarray) -> bool:
    """Whether any duplicate set has rows under more than one group id (True without groups)."""
    if ctx.groups is None:
        return True
    frame = pd.DataFrame({"set": component, "group": ctx.groups})[in_set]
    return bool((frame.groupby("set")["group"].nunique() > 1).any())


def _inflate(split: str, spans_groups: bool = True) -> str:
    """Why copies matter, for the split the run validates with (:attr:`DiagnosisContext.split`).

    ``spans_groups`` is whether any set of copies lies under more than one group id: on a
    group split, copies that all stay within their group never reach both sides.
    """
    if split == "groups" and not spans_groups:
        return (
            "each set lies within one group, so a group split keeps it on one side (no "
            "leakage), but its sample counts more than once in training and in the score"
        )
    if split == "time":
        return (
            "copies on both sides of the time-ordered split (older rows train, newer validate) "
            "inflate the validation score"
        )
    if split == "groups":
        return (
            "copies under different groups land on both sides of a group split and inflate "
            "the validation score"
        )
    if split in ("random", "stratified"):
        kind = "random" if split == "random" else "random (stratified)"
        return f"copies on both sides of a {kind} split inflate the validation score"
    return "copies on both sides of a validation split inflate the validation score"


def _conflict_tolerance(ctx: DiagnosisContext) -> float | None:
    """How far apart a set's labels may lie before they conflict: None for classes (any
    difference); for a numeric target a share of its standard deviation, since two
    measurements of one sample differ by noise."""
    if ctx.task != "regression":
        return None
    y = np.asarray(ctx.y, dtype=float)
    return REGRESSION_CONFLICT_SHARE * float(np.nanstd(y))


def _near_pairs(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, float]:
    """Pairs (i, j) of rows closer than the near-duplicate threshold, and that threshold."""
    features = ctx.features
    if features.shape[0] < 3:
        return np.empty(0, int), np.empty(0, int), float("nan")
    if features.shape[0] > EXACT_QUERY_ROWS:
        return _near_pairs_projected(ctx, features)
    nn = NearestNeighbors(n_neighbors=1, n_jobs=ctx.options.n_jobs).fit(features)
    distance, index = nn.kneighbors()  # no X: each row's neighbour other than itself
    distance, index = distance[:, 0], index[:, 0]
    typical = distance[distance > 0]
    if typical.size == 0:
        return np.arange(distance.size), index, 0.0
    threshold = ctx.options.near_duplicate_distance * float(np.median(typical))
    close = distance <= threshold
    return np.flatnonzero(close), index[close], threshold


def _near_pairs_projected(
    ctx: DiagnosisContext, features: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """The same pairs on large tables, without a nearest-neighbour query per row in full space.

    The typical nearest-neighbour distance is taken from a sample of rows. An orthogonal
    projection (PCA) never lengthens a distance, so every pair within the threshold in full
    space is also within it in the projection: a radius search there (a tree works in few
    dimensions) gives candidates, which are then checked in full space. Exact, not approximate.
    """
    unique, first, inverse = np.unique(features, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    # rows equal in the input space: link each to the first of its kind
    same = first[inverse] != np.arange(inverse.size)
    rows, cols = [np.flatnonzero(same)], [first[inverse[same]]]
    rng = np.random.default_rng(ctx.options.random_state)
    probe = rng.choice(len(unique), min(SCALE_SAMPLE, len(unique)), replace=False)
    nn = NearestNeighbors(n_neighbors=2, n_jobs=ctx.options.n_jobs).fit(unique)
    typical = nn.kneighbors(unique[probe])[0][:, 1]  # [:, 0] is the row itself
    threshold = ctx.options.near_duplicate_distance * float(np.median(typical))
    dims = min(PROJECTED_DIMS, unique.shape[1])
    projected = PCA(dims, random_state=ctx.options.random_state).fit_transform(unique)
    graph = (
        NearestNeighbors(radius=threshold, n_jobs=ctx.options.n_jobs)
        .fit(projected)
        .radius_neighbors_graph(projected, mode="connectivity")
    )
    i, j = graph.nonzero()
    keep = i < j
    i, j = i[keep], j[keep]
    close = np.linalg.norm(unique[i] - unique[j], axis=1) <= threshold
    rows.append(first[i[close]])
    cols.append(first[j[close]])
    return np.concatenate(rows), np.concatenate(cols), threshold


def _leakage(
    ctx: DiagnosisContext,
    component: np.ndarray,
    in_set: np.ndarray,
    exact_key: np.ndarray,
    chance: _AcrossGroups,
) -> Finding | None:
    """Duplicate sets spread over several groups; exact ones only when chance (see
    :func:`chance_twins_in_groups`) does not explain the rows repeated across groups."""
    n = len(component)
    frame = pd.DataFrame(
        {"set": component, "group": ctx.groups, "row": ctx.row_ids(), "key": exact_key}
    )[in_set]
    per_set = frame.groupby("set").agg(groups=("group", "nunique"), keys=("key", "nunique"))
    spread = per_set["groups"] > 1
    if chance.by_chance:
        spread &= per_set["keys"] > 1  # near copies across groups are no chance repeats
    crossing = per_set.index[spread]
    if crossing.size == 0:
        return None
    leaked = frame[frame["set"].isin(crossing)]
    share = len(leaked) / n
    examples = [
        {
            "rows": leaked.loc[leaked["set"] == s, "row"].tolist()[:10],
            "groups": pd.unique(leaked.loc[leaked["set"] == s, "group"]).tolist()[:10],
        }
        for s in crossing[:SETS_IN_EVIDENCE]
    ]
    evidence = {
        "n_sets_across_groups": int(crossing.size),
        "n_rows": int(len(leaked)),
        "share": share,
        "n_rows_exact_across_groups": chance.observed,
        "expected_rows_across_groups_by_chance": chance.expected,
        "example_sets": examples,
    }
    expected = chance.expected
    against = (
        f", where chance alone gives ~{count(expected)} for these columns"
        if round(expected) >= 1 and not chance.by_chance
        else ""
    )
    advice = (
        f"{count(crossing.size)} samples appear under more than one group id "
        f"({count(len(leaked))} rows{against}): merge those ids (or drop the copies) so a "
        "group split cannot put one sample on both sides"
    )
    severity = "critical" if share >= ctx.options.duplicate_warning else "warning"
    return Finding("leakage", severity, evidence, advice)
