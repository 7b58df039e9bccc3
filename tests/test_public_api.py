"""The public names of ``howmuchdata`` are the documented functions and classes."""

from __future__ import annotations

import importlib
import types

import howmuchdata as hmd


def test_public_names_stay_functions_after_their_subpackages_are_imported():
    # importing a subpackage named like a function used to rebind hmd.<name> to the module
    for name in ("howmuchdata.extrapolate", "howmuchdata.diagnose", "howmuchdata.planner"):
        importlib.import_module(name)
    for name in hmd.__all__:
        assert not isinstance(getattr(hmd, name), types.ModuleType), name
    assert hmd.extrapolate.__module__.startswith("howmuchdata.extrapolate")
    assert hmd.diagnose.__module__.startswith("howmuchdata.diagnose")
