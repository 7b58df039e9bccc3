"""Command lines shared by the plan CLI tests."""

#: The binary worked example of Riley et al. (BMJ 2020): 662 participants.
BINARY = [
    "plan",
    "--before-data",
    "--outcome",
    "binary",
    "--prevalence",
    "0.174",
    "--parameters",
    "24",
    "--r2-cs",
    "0.288",
]
