"""Keeping up with SDK releases: the refresh tool's report, and the catalog against the pinned SDK."""

from __future__ import annotations

import copy
import typing

import anthropic
from anthropic._data.deprecated_models import DEPRECATED_MODELS
from anthropic.types import model as sdk_model

from mockserver.catalog import builtin_catalog
from mockserver.config import DEFAULT_SPEC
from mockserver.spec import load_spec
from tools.refresh_sdk import lifecycle_changes, spec_changes

from .sdk_installs import CURRENT_SDK_VERSION


def test_the_spec_and_the_tests_use_the_same_pinned_sdk():
    spec = load_spec(DEFAULT_SPEC)
    assert spec["x-generated"]["sdk"]["anthropic"] == CURRENT_SDK_VERSION == anthropic.__version__


def test_the_refresh_report_names_each_change():
    old = load_spec(DEFAULT_SPEC)
    new = copy.deepcopy(old)
    del new["paths"]["/v1/organizations/users/{user_id}/sign_out"]
    new["components"]["schemas"]["Workspace"]["properties"].pop("inference_data_privacy")
    new["x-mock-error-codes"]["brand_new_code"] = 400
    new["x-mock-known-betas"] = [*new["x-mock-known-betas"], "brand-new-beta-2099-01-01"]
    assert spec_changes(old, old) == []
    assert spec_changes(old, new) == [
        "- operation: POST /v1/organizations/users/{user_id}/sign_out",
        "- field of Workspace: inference_data_privacy",
        "+ error code: brand_new_code",
        "+ beta name: brand-new-beta-2099-01-01",
    ]


def sdk_models() -> dict:
    literal = [a for a in typing.get_args(sdk_model.Model) if typing.get_args(a)]
    return {"known": sorted({x for a in literal for x in typing.get_args(a) if isinstance(x, str)}),
            "deprecated": dict(DEPRECATED_MODELS)}


def test_the_catalog_states_the_lifecycles_the_pinned_sdk_states():
    """Every model the SDK names is served; every one it deprecates is deprecated here."""
    assert lifecycle_changes(sdk_models()) == []


def test_a_lifecycle_drift_is_reported():
    drifted = {"known": ["claude-sonnet-4-5"], "deprecated": {"claude-sonnet-4-6": "May 1st, 2027"}}
    report = lifecycle_changes(drifted)
    assert any(line.startswith("! claude-sonnet-4-6: the SDK lists it as deprecated") for line in report)
    assert any(line.startswith("! claude-sonnet-4-5: named by the SDK's Model type") for line in report)
    assert builtin_catalog().resolve("claude-sonnet-4-5").retired
