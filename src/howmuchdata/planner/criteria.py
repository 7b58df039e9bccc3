"""Minimum sample size before any data exists: the criteria of Riley et al.

Written from the published formulas:

- R. D. Riley et al., "Minimum sample size for developing a multivariable prediction model:
  Part I - Continuous outcomes", Statistics in Medicine 38 (2019) 1262-1275.
- R. D. Riley et al., "... Part II - binary and time-to-event outcomes", Statistics in
  Medicine 38 (2019) 1276-1296.
- R. D. Riley et al., "Calculating the sample size required for developing a clinical
  prediction model", BMJ 368 (2020) m441 (time unit = mean follow-up for the survival maximum
  R-squared).
- R. D. Riley, B. Van Calster, G. S. Collins, "A note on estimating the Cox-Snell R2 from a
  reported C statistic (AUROC) to inform sample size calculations for developing a prediction
  model with a binary outcome", Statistics in Medicine 40 (2021) 859-864.

Each criterion gives the smallest whole number of participants that meets it (rounded up); the
minimum sample size is the largest of them (the *binding* criterion).

The C statistic is turned into a Cox-Snell R-squared with the large-sample limit of that note's
method (two normal distributions of the linear predictor with equal variance, computed by
numerical integration rather than by a seeded simulation of one million patients). For the
published binary example with C = 0.89 this gives 660; the note's seeded simulation gives 661.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import integrate, stats

from howmuchdata.errors import HowMuchDataError

Outcome = Literal["binary", "continuous", "survival"]
OUTCOMES = ("binary", "continuous", "survival")

#: Margin of error for the overall risk (binary, survival): 0.05 on the probability scale.
RISK_MARGIN = 0.05
#: An absolute margin wider than this share of the risk it bounds says little about that risk.
MARGIN_SHARE_OF_RISK = 0.5
#: Largest allowed optimism in the apparent Nagelkerke / adjusted R-squared.
R2_OPTIMISM = 0.05
#: Multiplicative margin of error for the residual SD and the mean outcome (continuous).
MMOE = 1.1
#: The anticipated-performance and outcome inputs each outcome reads (beside ``parameters`` and
#: ``shrinkage``, which all read).
USES = {
    "binary": ("prevalence", "r2_cs", "r2_nagelkerke", "c_statistic"),
    "continuous": ("r2", "intercept", "sd"),
    "survival": ("r2_cs", "r2_nagelkerke", "rate", "timepoint", "mean_followup"),
}


@dataclass(frozen=True)
class Criterion:
    """One criterion's requirement.

    Attributes
    ----------
    name : str
        Short key, e.g. ``"shrinkage"``.
    n : int
        Smallest number of participants that meets the criterion.
    description : str
        What the criterion protects against, in words.
    detail : dict
        Numbers behind it (e.g. the shrinkage it implies, events per parameter).
    """

    name: str
    n: int
    description: str
    detail: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SampleSize:
    """Minimum sample size for developing a prediction model (Riley et al.).

    Attributes
    ----------
    outcome : str
        ``"binary"``, ``"continuous"`` or ``"survival"``.
    n : int
        The binding minimum: the largest of the criteria.
    binding : str
        Name of the criterion that sets ``n``.
    criteria : dict[str, int]
        Each criterion's size by name.
    details : tuple[Criterion, ...]
        The criteria with their descriptions and numbers.
    inputs : dict
        The inputs used, including derived ones (e.g. the Cox-Snell R-squared from a C statistic).
    """

    outcome: str
    n: int
    binding: str
    criteria: dict[str, int]
    details: tuple[Criterion, ...]
    inputs: dict[str, Any]

    @property
    def per_parameter(self) -> float:
        """Participants per candidate predictor parameter at the binding minimum."""
        return self.n / self.inputs["parameters"]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form for ``result.json``."""
        return {
            "outcome": self.outcome,
            "n": self.n,
            "binding": self.binding,
            "criteria": dict(self.criteria),
            "details": [
                {"name": c.name, "n": c.n, "description": c.description, "detail": c.detail}
                for c in self.details
            ],
            "inputs": dict(self.inputs),
            "method": "Riley et al. (Stat Med 2019; BMJ 2020)"
            + (
                "; C statistic via the large-sample limit of Riley et al. (Stat Med 2021)"
                if "c_statistic" in self.inputs
                else ""
            ),
        }

    def summary(self) -> str:
        """A few lines for people."""
        lines = [f"Minimum sample size ({self.outcome} outcome): {self.n:,} ({self.binding} binds)"]
        for c in self.details:
            risk = c.detail.get("risk", self.inputs.get("prevalence"))
            caveat = risk_margin_caveat(c.detail.get("margin"), risk)
            lines.append(f"  {c.name:<22} {c.n:>8,}  {c.description}{caveat}")
        return "\n".join(lines)


def risk_margin_caveat(margin: float | None, risk: float | None) -> str:
    """A caveat for a risk estimated within an absolute ``margin`` wider than half of it, on
    the rarer side (``overall_risk`` of a rare outcome: +/-0.05 around 0.001), else ``""``.

    Parameters
    ----------
    margin : float or None
        The criterion's absolute margin (:data:`RISK_MARGIN`); None for other criteria.
    risk : float or None
        The risk it estimates (the prevalence, or the risk by the timepoint).

    Returns
    -------
    str
        ``" (caveat: ...)"``, to follow the criterion's description.
    """
    if margin is None or risk is None:
        return ""
    margin, risk = float(margin), float(risk)
    if not (math.isfinite(margin) and math.isfinite(risk) and 0 < risk < 1):
        return ""
    rare = min(risk, 1 - risk)
    if margin <= MARGIN_SHARE_OF_RISK * rare:
        return ""
    which = "the risk" if rare == risk else "the rarer outcome's risk"
    return (
        f" (caveat: ±{margin:g} is more than half of {which}, {rare:g}: at this size the risk "
        f"is known only to within ±{margin / rare:,.0%} of itself, so this criterion says "
        "little here)"
    )


def _fail(message: str) -> HowMuchDataError:
    return HowMuchDataError(message)


def _ceil(x: float) -> int:
    # A tiny tolerance so that a value that is an integer up to rounding noise is not bumped up.
    return math.ceil(x - 1e-9)


#: Sizes above ``start`` that :func:`_smallest_n` scans one by one before it bisects.
SCAN = 2**16
#: The largest sample size :func:`_smallest_n` looks for.
MAX_N = 10**9


def _smallest_n(ok: Callable[[np.ndarray], np.ndarray], start: int) -> int:
    """Smallest integer n >= start with ``ok(n)`` true.

    The criteria below are monotone in n only for n large enough (degrees of freedom, logs of
    R-squared near 1), so the first ``SCAN`` sizes are scanned one by one, in growing blocks;
    beyond them, where the criteria are monotone, the size is found by doubling and bisection
    (a scan up to 10^9 would hold billions of sizes in memory).
    """

    def holds(n: float) -> bool:
        with np.errstate(all="ignore"):
            return bool(ok(np.array([float(n)]))[0])

    lo, width, end = start, 1024, start + SCAN
    while lo < end:
        n = np.arange(lo, min(lo + width, end), dtype=float)
        with np.errstate(all="ignore"):
            hit = np.nonzero(ok(n))[0]
        if hit.size:
            return int(n[hit[0]])
        lo += width
        width *= 2
    below, above = end - 1, end  # ok(below) is false: scanned
    while not holds(above):
        if above > MAX_N:
            raise _fail("no sample size up to 10^9 meets the criteria; check the inputs' units")
        below, above = above, 2 * above
    while above - below > 1:
        mid = (below + above) // 2
        below, above = (below, mid) if holds(mid) else (mid, above)
    return int(above)


def max_r2_cs_binary(prevalence: float) -> float:
    """Largest Cox-Snell R-squared a binary outcome allows: 1 - (phi^phi (1-phi)^(1-phi))^2."""
    phi = prevalence
    return 1.0 - (phi**phi * (1.0 - phi) ** (1.0 - phi)) ** 2


def max_r2_cs_survival(rate: float, mean_followup: float) -> float:
    """Largest Cox-Snell R-squared for an exponential null model, time unit = mean follow-up."""
    events_per_person = rate * mean_followup
    ln_l_null = events_per_person * math.log(events_per_person) - events_per_person
    return 1.0 - math.exp(2.0 * ln_l_null)


def r2_cs_from_c_statistic(c_statistic: float, prevalence: float) -> float:
    """Cox-Snell R-squared implied by a C statistic (large-sample limit).

    The linear predictor is normal with unit variance in both outcome groups, its means
    ``sqrt(2) * Phi^-1(C)`` apart (so that the C statistic is ``C``). Then the outcome's log
    odds are exactly linear in the predictor, and the expected log-likelihood gain per person
    of the fitted logistic model over the null model is the mutual information ``I`` between
    predictor and outcome, so ``R2_cs = 1 - exp(-2 I)``.
    """
    mu = math.sqrt(2.0) * stats.norm.ppf(c_statistic)
    phi = prevalence

    def integrand(x: float) -> float:
        f1 = stats.norm.pdf(x, loc=mu)
        f0 = stats.norm.pdf(x)
        mix = phi * f1 + (1.0 - phi) * f0
        total = 0.0
        if f1 > 0:
            total += phi * f1 * math.log(f1 / mix)
        if f0 > 0:
            total += (1.0 - phi) * f0 * math.log(f0 / mix)
        return total

    info, _ = integrate.quad(integrand, -12.0, mu + 12.0, limit=200, epsabs=1e-13, epsrel=1e-12)
    return 1.0 - math.exp(-2.0 * info)


def _shrinkage_n(parameters: int, r2_cs: float, shrinkage: float) -> float:
    # Van Houwelingen's heuristic shrinkage S = 1 + p / (n ln(1 - R2cs/S)) solved for n.
    return parameters / ((shrinkage - 1.0) * math.log(1.0 - r2_cs / shrinkage))


def _check_positive(name: str, value: float | None, *, integer: bool = False) -> None:
    if value is None:
        raise _fail(f"{name} is required for this outcome; pass {name}=...")
    if not np.isfinite(value) or value <= 0 or (integer and int(value) != value):
        kind = "a positive whole number" if integer else "a positive number"
        raise _fail(f"{name}={value!r} is not {kind}; pass {kind}")


def _check_fraction(name: str, value: float | None) -> None:
    if value is None:
        raise _fail(f"{name} is required for this outcome; pass {name}=...")
    if not np.isfinite(value) or not 0.0 < value < 1.0:
        raise _fail(
            f"{name}={value!r} is outside (0, 1); pass a proportion strictly between 0 and 1"
        )


def _binary(
    parameters: int,
    prevalence: float | None,
    r2_cs: float | None,
    r2_nagelkerke: float | None,
    c_statistic: float | None,
    shrinkage: float,
) -> tuple[list[Criterion], dict[str, Any]]:
    _check_fraction("prevalence", prevalence)
    assert prevalence is not None
    max_r2 = max_r2_cs_binary(prevalence)
    inputs: dict[str, Any] = {"prevalence": prevalence, "max_r2_cs": max_r2}
    given = [
        k
        for k, v in (
            ("r2_cs", r2_cs),
            ("r2_nagelkerke", r2_nagelkerke),
            ("c_statistic", c_statistic),
        )
        if v is not None
    ]
    if len(given) != 1:
        raise _fail(
            f"binary outcome needs exactly one of r2_cs, r2_nagelkerke, c_statistic (got {' and '.join(given) or 'none'}); "
            "pass the anticipated performance once"
        )
    if r2_nagelkerke is not None:
        _check_fraction("r2_nagelkerke", r2_nagelkerke)
        r2_cs = r2_nagelkerke * max_r2
        inputs["r2_nagelkerke"] = r2_nagelkerke
    elif c_statistic is not None:
        if not np.isfinite(c_statistic) or not 0.5 < c_statistic < 1.0:
            raise _fail(
                f"c_statistic={c_statistic!r} is outside (0.5, 1); pass the anticipated AUROC"
            )
        r2_cs = r2_cs_from_c_statistic(c_statistic, prevalence)
        inputs["c_statistic"] = c_statistic
    assert r2_cs is not None
    _check_fraction("r2_cs", r2_cs)
    if r2_cs >= max_r2:
        raise _fail(
            f"r2_cs={r2_cs:.4g} is not below the largest Cox-Snell R-squared {max_r2:.4g} that prevalence "
            f"{prevalence} allows; pass a smaller R-squared"
        )
    inputs["r2_cs"] = r2_cs
    crit = _overfitting_criteria(parameters, r2_cs, max_r2, shrinkage)
    n3 = _ceil((1.96 / RISK_MARGIN) ** 2 * prevalence * (1.0 - prevalence))
    crit.append(
        Criterion(
            "overall_risk",
            n3,
            f"overall risk estimated within +/-{RISK_MARGIN} (95% CI)",
            {"margin": RISK_MARGIN},
        )
    )
    for c in crit:
        c.detail["events"] = c.n * prevalence
        c.detail["events_per_parameter"] = c.n * prevalence / parameters
    return crit, inputs


def _overfitting_criteria(
    parameters: int, r2_cs: float, max_r2: float, shrinkage: float
) -> list[Criterion]:
    if r2_cs >= shrinkage:
        raise _fail(
            f"R-squared {r2_cs:.4g} is not below the shrinkage {shrinkage}; pass a larger shrinkage or smaller R-squared"
        )
    n1 = _ceil(_shrinkage_n(parameters, r2_cs, shrinkage))
    # Shrinkage that keeps the optimism of Nagelkerke's R-squared <= 0.05.
    s_small = r2_cs / (r2_cs + R2_OPTIMISM * max_r2)
    n2 = _ceil(_shrinkage_n(parameters, r2_cs, s_small))
    return [
        Criterion(
            "shrinkage",
            n1,
            f"expected shrinkage of predictor effects >= {shrinkage}",
            {"shrinkage": shrinkage},
        ),
        Criterion(
            "r2_optimism",
            n2,
            f"apparent and adjusted Nagelkerke R-squared differ by <= {R2_OPTIMISM}",
            {"shrinkage": s_small},
        ),
    ]


def _survival(
    parameters: int,
    r2_cs: float | None,
    r2_nagelkerke: float | None,
    rate: float | None,
    timepoint: float | None,
    mean_followup: float | None,
    shrinkage: float,
) -> tuple[list[Criterion], dict[str, Any]]:
    _check_positive("rate", rate)
    _check_positive("timepoint", timepoint)
    _check_positive("mean_followup", mean_followup)
    assert rate is not None and timepoint is not None and mean_followup is not None
    if rate * mean_followup > 1.0:
        # events per person = rate x mean follow-up; a time-to-event outcome has at most one
        raise _fail(
            f"rate x mean_followup = {rate * mean_followup:.3g} events per person, but a person has "
            "at most one event; pass rate per person-time in the time unit of mean_followup"
        )
    max_r2 = max_r2_cs_survival(rate, mean_followup)
    inputs: dict[str, Any] = {
        "rate": rate,
        "timepoint": timepoint,
        "mean_followup": mean_followup,
        "max_r2_cs": max_r2,
    }
    if (r2_cs is None) == (r2_nagelkerke is None):
        raise _fail(
            "survival outcome needs exactly one of r2_cs, r2_nagelkerke; pass the anticipated R-squared once"
        )
    if r2_nagelkerke is not None:
        _check_fraction("r2_nagelkerke", r2_nagelkerke)
        r2_cs = r2_nagelkerke * max_r2
        inputs["r2_nagelkerke"] = r2_nagelkerke
    assert r2_cs is not None
    _check_fraction("r2_cs", r2_cs)
    if r2_cs >= max_r2:
        raise _fail(
            f"r2_cs={r2_cs:.4g} is not below the largest Cox-Snell R-squared {max_r2:.4g}; pass a smaller R-squared"
        )
    inputs["r2_cs"] = r2_cs
    crit = _overfitting_criteria(parameters, r2_cs, max_r2, shrinkage)
    risk = 1.0 - math.exp(-rate * timepoint)

    def precise(n: np.ndarray) -> np.ndarray:
        half = 1.96 * np.sqrt(rate / (n * mean_followup))
        lo = 1.0 - np.exp(-np.maximum(rate - half, 0.0) * timepoint)
        hi = 1.0 - np.exp(-(rate + half) * timepoint)
        return (risk - lo <= RISK_MARGIN) & (hi - risk <= RISK_MARGIN)

    n3 = _smallest_n(precise, 1)
    crit.append(
        Criterion(
            "overall_risk",
            n3,
            f"risk by time {timepoint:g} ({risk:.3f}) estimated within +/-{RISK_MARGIN} (95% CI)",
            {"margin": RISK_MARGIN, "risk": risk},
        )
    )
    for c in crit:
        c.detail["events"] = c.n * rate * mean_followup
        c.detail["events_per_parameter"] = c.n * rate * mean_followup / parameters
    return crit, inputs


def _continuous(
    parameters: int,
    r2: float | None,
    intercept: float | None,
    sd: float | None,
    shrinkage: float,
) -> tuple[list[Criterion], dict[str, Any]]:
    _check_fraction("r2", r2)
    _check_positive("sd", sd)
    if intercept is None or not np.isfinite(intercept) or intercept == 0:
        raise _fail(
            "intercept (the mean outcome) is required and must be non-zero; pass intercept=..."
        )
    assert r2 is not None and sd is not None
    p = parameters
    if r2 >= shrinkage:
        raise _fail(
            f"r2={r2} is not below the shrinkage {shrinkage}; pass a larger shrinkage or smaller r2"
        )

    def shrunk_enough(n: np.ndarray) -> np.ndarray:
        # Part I: expected shrinkage 1 + (p - 2) / (n ln(1 - R2_app)), with the apparent R2
        # implied by the anticipated adjusted R2 at this n.
        r2_app = (r2 * (n - p - 1) + p) / (n - 1)
        s = 1.0 + (p - 2) / (n * np.log(1.0 - r2_app))
        return np.isfinite(s) & (s >= shrinkage)

    n1 = _smallest_n(shrunk_enough, p + 2)
    n2 = _ceil(1.0 + p * (1.0 - r2) / R2_OPTIMISM)

    def sd_precise(n: np.ndarray) -> np.ndarray:
        df = n - p - 1
        upper = np.sqrt(stats.chi2.ppf(0.975, df) / df)
        lower = np.sqrt(df / stats.chi2.ppf(0.025, df))
        return (df >= 1) & (upper <= MMOE) & (lower <= MMOE)

    n3 = _smallest_n(sd_precise, p + 2)
    residual_var = sd**2 * (1.0 - r2)

    def mean_precise(n: np.ndarray) -> np.ndarray:
        df = n - p - 1
        half = stats.t.ppf(0.975, df) * np.sqrt(residual_var / n)
        return (df >= 1) & ((abs(intercept) + half) / abs(intercept) <= MMOE)

    n4 = _smallest_n(mean_precise, p + 2)
    crit = [
        Criterion(
            "shrinkage",
            n1,
            f"expected shrinkage of predictor effects >= {shrinkage}",
            {"shrinkage": shrinkage},
        ),
        Criterion(
            "r2_optimism", n2, f"apparent and adjusted R-squared differ by <= {R2_OPTIMISM}", {}
        ),
        Criterion(
            "residual_sd",
            n3,
            f"residual SD estimated within a factor {MMOE} (95% CI)",
            {"mmoe": MMOE},
        ),
        Criterion(
            "mean_outcome",
            n4,
            f"mean outcome (intercept) estimated within a factor {MMOE} (95% CI)",
            {"mmoe": MMOE, "residual_sd": math.sqrt(residual_var)},
        ),
    ]
    return crit, {"r2": r2, "intercept": intercept, "sd": sd}


def minimum_sample_size(
    outcome: Outcome,
    *,
    parameters: int,
    prevalence: float | None = None,
    r2_cs: float | None = None,
    r2_nagelkerke: float | None = None,
    c_statistic: float | None = None,
    r2: float | None = None,
    intercept: float | None = None,
    sd: float | None = None,
    rate: float | None = None,
    timepoint: float | None = None,
    mean_followup: float | None = None,
    shrinkage: float = 0.9,
) -> SampleSize:
    """Minimum sample size to develop a prediction model, before any data exists.

    Implements the criteria of Riley et al. (Stat Med 2019 Parts I and II; BMJ 2020): small
    overfitting (expected shrinkage >= ``shrinkage``), small optimism in R-squared, and precise
    estimation of the overall risk (binary, survival) or of the residual SD and mean outcome
    (continuous). Each criterion is rounded up; the largest one binds.

    Parameters
    ----------
    outcome : {"binary", "continuous", "survival"}
        Kind of outcome the model predicts.
    parameters : int
        Candidate predictor parameters (a categorical predictor with k levels counts k - 1).
    prevalence : float, optional
        Binary: outcome proportion, in (0, 1).
    r2_cs, r2_nagelkerke : float, optional
        Binary / survival: anticipated Cox-Snell or Nagelkerke R-squared (give one).
    c_statistic : float, optional
        Binary: anticipated C statistic (AUROC), converted to a Cox-Snell R-squared with the
        large-sample limit of Riley et al. (Stat Med 2021).
    r2 : float, optional
        Continuous: anticipated adjusted R-squared.
    intercept, sd : float, optional
        Continuous: mean and standard deviation of the outcome in the target population.
    rate, timepoint, mean_followup : float, optional
        Survival: overall event rate (per unit time), the time of interest, and the anticipated
        mean follow-up (same time unit).
    shrinkage : float, default 0.9
        Required expected shrinkage factor.

    Returns
    -------
    SampleSize
        ``.n`` (the binding minimum) and ``.criteria`` (each criterion's size by name).

    Raises
    ------
    HowMuchDataError
        For an input out of range, a required one missing, or one the outcome does not use
        (e.g. ``prevalence`` for a survival outcome; see ``USES``).

    Examples
    --------
    >>> minimum_sample_size("binary", parameters=24, prevalence=0.174, r2_cs=0.288).n
    662
    """
    if outcome not in OUTCOMES:
        raise _fail(f"unknown outcome {outcome!r}; pass one of {', '.join(OUTCOMES)}")
    given = {
        "prevalence": prevalence,
        "r2_cs": r2_cs,
        "r2_nagelkerke": r2_nagelkerke,
        "c_statistic": c_statistic,
        "r2": r2,
        "intercept": intercept,
        "sd": sd,
        "rate": rate,
        "timepoint": timepoint,
        "mean_followup": mean_followup,
    }
    unused = [k for k, v in given.items() if v is not None and k not in USES[outcome]]
    if unused:
        raise _fail(
            f"{outcome} outcome does not use {', '.join(unused)}; "
            f"drop {'it' if len(unused) == 1 else 'them'} "
            f"(a {outcome} outcome reads {', '.join(USES[outcome])})"
        )
    _check_positive("parameters", parameters, integer=True)
    parameters = int(parameters)
    if not (np.isfinite(shrinkage) and 0.0 < shrinkage < 1.0):
        raise _fail(f"shrinkage={shrinkage!r} is outside (0, 1); pass e.g. 0.9")
    if outcome == "binary":
        crit, inputs = _binary(parameters, prevalence, r2_cs, r2_nagelkerke, c_statistic, shrinkage)
    elif outcome == "survival":
        crit, inputs = _survival(
            parameters, r2_cs, r2_nagelkerke, rate, timepoint, mean_followup, shrinkage
        )
    else:
        crit, inputs = _continuous(parameters, r2, intercept, sd, shrinkage)
    binding = max(crit, key=lambda c: c.n)
    inputs = {"parameters": parameters, "shrinkage": shrinkage, **inputs}
    return SampleSize(
        outcome=outcome,
        n=binding.n,
        binding=binding.name,
        criteria={c.name: c.n for c in crit},
        details=tuple(crit),
        inputs=inputs,
    )
