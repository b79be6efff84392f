"""Dump JSON Schemas of official SDK types (run INSIDE a throwaway venv).

This script is executed by ``tools/build_spec.py`` with the interpreter of a
venv that has the SDK under study installed, e.g.::

    /tmp/spec-v2/bin/python tools/sdk_dump.py v2   # anthropic==2.16.0 + openai
    /tmp/spec-v0/bin/python tools/sdk_dump.py v0   # anthropic==0.125.0

It prints one JSON document on stdout:

    {"sdk": {...versions...},
     "groups": {GROUP: {"roots": {KEY: <schema>}, "defs": {NAME: <schema>}}},
     "fields": {KEY: {"all": [...], "required": [...]}}}

Nothing here is copied into the spec verbatim: ``build_spec.py`` strips titles
and descriptions and rewrites the schemas.
"""

from __future__ import annotations

import importlib
import json
import sys
import typing

import pydantic


def _obj(path: str):
    mod, _, attr = path.rpartition(":")
    m = importlib.import_module(mod)
    for part in attr.split("."):
        m = getattr(m, part)
    return m


_MS = "anthropic.types.beta.organization.claude_code.managed_settings"

# (key, import path, mode) -- mode "validation" for request types, "serialization" for responses.
V2_ANTHROPIC = [
    # Messages (beta superset)
    ("MessageCreateParamsNonStreaming", "anthropic.types.beta.message_create_params:MessageCreateParamsNonStreaming", "validation"),
    ("MessageCreateParamsStreaming", "anthropic.types.beta.message_create_params:MessageCreateParamsStreaming", "validation"),
    ("MessageCountTokensParams", "anthropic.types.beta.message_count_tokens_params:MessageCountTokensParams", "validation"),
    ("BatchCreateParams", "anthropic.types.beta.messages.batch_create_params:BatchCreateParams", "validation"),
    ("Message", "anthropic.types.beta:BetaMessage", "serialization"),
    ("MessageStreamEvent", "anthropic.types.beta:BetaRawMessageStreamEvent", "serialization"),
    ("MessageTokensCount", "anthropic.types.beta:BetaMessageTokensCount", "serialization"),
    # Batches
    ("MessageBatch", "anthropic.types.beta.messages:BetaMessageBatch", "serialization"),
    ("DeletedMessageBatch", "anthropic.types.beta.messages:BetaDeletedMessageBatch", "serialization"),
    ("MessageBatchIndividualResponse", "anthropic.types.beta.messages:BetaMessageBatchIndividualResponse", "serialization"),
    ("BatchListParams", "anthropic.types.beta.messages.batch_list_params:BatchListParams", "validation"),
    # Models
    ("ModelInfo", "anthropic.types.beta:BetaModelInfo", "serialization"),
    ("ModelListParams", "anthropic.types.beta.model_list_params:ModelListParams", "validation"),
    # Files
    ("FileMetadata", "anthropic.types.beta:BetaFileMetadata", "serialization"),
    ("DeletedFile", "anthropic.types.beta:BetaDeletedFile", "serialization"),
    ("FileListParams", "anthropic.types.beta.file_list_params:FileListParams", "validation"),
    # Skills
    ("Skill", "anthropic.types.beta:BetaSkill", "serialization"),
    ("DeletedSkill", "anthropic.types.beta:BetaDeletedSkill", "serialization"),
    ("SkillVersion", "anthropic.types.beta.skills:BetaSkillVersion", "serialization"),
    ("DeletedSkillVersion", "anthropic.types.beta.skills:BetaDeletedSkillVersion", "serialization"),
    ("SkillListParams", "anthropic.types.beta.skill_list_params:SkillListParams", "validation"),
    ("SkillVersionListParams", "anthropic.types.beta.skills.version_list_params:VersionListParams", "validation"),
    # Admin (organization)
    ("OrganizationInfo", "anthropic.types:OrganizationInfo", "serialization"),
    ("APIKey", "anthropic.types.organization:APIKey", "serialization"),
    ("APIKeyListParams", "anthropic.types.organization.api_key_list_params:APIKeyListParams", "validation"),
    ("APIKeyUpdateParams", "anthropic.types.organization.api_key_update_params:APIKeyUpdateParams", "validation"),
    ("OrganizationUser", "anthropic.types.organization:OrganizationUser", "serialization"),
    ("UserListParams", "anthropic.types.organization.user_list_params:UserListParams", "validation"),
    ("UserUpdateParams", "anthropic.types.organization.user_update_params:UserUpdateParams", "validation"),
    ("DeletedUser", "anthropic.types.organization:UserRemoveResponse", "serialization"),
    ("OrganizationInvite", "anthropic.types.organization:OrganizationInvite", "serialization"),
    ("InviteCreateParams", "anthropic.types.organization.invite_create_params:InviteCreateParams", "validation"),
    ("InviteListParams", "anthropic.types.organization.invite_list_params:InviteListParams", "validation"),
    ("DeletedInvite", "anthropic.types.organization:InviteDeleteResponse", "serialization"),
    # workspaces: the beta types are the superset (`inference_data_privacy`)
    ("Workspace", "anthropic.types.beta.organization:BetaWorkspace", "serialization"),
    ("WorkspaceCreateParams", "anthropic.types.beta.organization.workspace_create_params:WorkspaceCreateParams", "validation"),
    ("WorkspaceUpdateParams", "anthropic.types.beta.organization.workspace_update_params:WorkspaceUpdateParams", "validation"),
    ("WorkspaceListParams", "anthropic.types.organization.workspace_list_params:WorkspaceListParams", "validation"),
    ("WorkspaceMember", "anthropic.types.organization:WorkspaceMember", "serialization"),
    ("WorkspaceMemberCreateParams", "anthropic.types.organization.workspaces.member_add_params:MemberAddParams", "validation"),
    ("WorkspaceMemberUpdateParams", "anthropic.types.organization.workspaces.member_update_params:MemberUpdateParams", "validation"),
    ("WorkspaceMemberListParams", "anthropic.types.organization.workspaces.member_list_params:MemberListParams", "validation"),
    ("DeletedWorkspaceMember", "anthropic.types.organization.workspaces:MemberRemoveResponse", "serialization"),
    # Compliance review, Claude Code managed settings, external storage, Google data controls (beta admin)
    ("ComplianceReviewCase", "anthropic.types.beta.compliance.review:BetaComplianceReviewCase", "serialization"),
    ("ComplianceReviewItem", "anthropic.types.beta.compliance.review:BetaComplianceReviewItem", "serialization"),
    ("ComplianceReviewNotice", "anthropic.types.beta.compliance.review:BetaComplianceReviewNotice", "serialization"),
    ("ComplianceReviewCaseListParams", "anthropic.types.beta.compliance.review.case_list_params:CaseListParams", "validation"),
    ("ComplianceReviewCaseRespondParams", "anthropic.types.beta.compliance.review.case_respond_params:CaseRespondParams", "validation"),
    ("ComplianceReviewNoticeListParams", "anthropic.types.beta.compliance.review.notice_list_params:NoticeListParams", "validation"),
    ("ClaudeCodeManagedSettingsConfiguration", f"{_MS}.beta_claude_code_managed_settings_configuration:BetaClaudeCodeManagedSettingsConfiguration", "serialization"),
    ("ClaudeCodeManagedSettingsConfigurationUpdateParams", f"{_MS}.configuration_update_params:ConfigurationUpdateParams", "validation"),
    ("ClaudeCodeRBACGroupDefaultManagedSettings", f"{_MS}.beta_claude_code_rbac_group_default_managed_settings:BetaClaudeCodeRBACGroupDefaultManagedSettings", "serialization"),
    ("ClaudeCodeRBACGroupDefaultUpdateParams", f"{_MS}.rbac_group_default_update_params:RBACGroupDefaultUpdateParams", "validation"),
    ("ClaudeCodeRBACGroupManagedSettings", f"{_MS}.beta_claude_code_rbac_group_managed_settings:BetaClaudeCodeRBACGroupManagedSettings", "serialization"),
    ("ClaudeCodeRBACGroupManagedSettingsSummary", f"{_MS}.beta_claude_code_rbac_group_managed_settings_summary:BetaClaudeCodeRBACGroupManagedSettingsSummary", "serialization"),
    ("DeletedClaudeCodeRBACGroupManagedSettings", f"{_MS}.beta_deleted_claude_code_rbac_group_managed_settings:BetaDeletedClaudeCodeRBACGroupManagedSettings", "serialization"),
    ("ClaudeCodeRBACGroupListParams", f"{_MS}.rbac_group_list_params:RBACGroupListParams", "validation"),
    ("ClaudeCodeRBACGroupSetParams", f"{_MS}.rbac_group_set_params:RBACGroupSetParams", "validation"),
    ("ExternalStorage", "anthropic.types.beta.organization:BetaExternalStorage", "serialization"),
    ("DeletedExternalStorage", "anthropic.types.beta.organization:BetaDeletedExternalStorage", "serialization"),
    ("ExternalStorageCreateParams", "anthropic.types.beta.organization.external_storage_create_params:ExternalStorageCreateParams", "validation"),
    ("ExternalStorageUpdateParams", "anthropic.types.beta.organization.external_storage_update_params:ExternalStorageUpdateParams", "validation"),
    ("ExternalStorageListParams", "anthropic.types.beta.organization.external_storage_list_params:ExternalStorageListParams", "validation"),
    ("GoogleManagedProjectDataControls", "anthropic.types.beta.organization.providers.google.projects:BetaGoogleManagedProjectDataControls", "serialization"),
    ("GoogleProjectDataControlUpdateParams", "anthropic.types.beta.organization.providers.google.projects.data_control_update_params:DataControlUpdateParams", "validation"),
    ("GoogleManagedDataControls", "anthropic.types.beta.user_profiles.providers.google:BetaGoogleManagedDataControls", "serialization"),
    ("GoogleUserProfileDataControlUpdateParams", "anthropic.types.beta.user_profiles.providers.google.data_control_update_params:DataControlUpdateParams", "validation"),
    # Beta analytics reports (called by SDK 2.x instead of the legacy report routes)
    ("AnalyticsUsageReportListParams", "anthropic.types.beta.organization.analytics.usage_report_list_params:UsageReportListParams", "validation"),
    ("AnalyticsCostReportListParams", "anthropic.types.beta.organization.analytics.cost_report_list_params:CostReportListParams", "validation"),
    ("AnalyticsUsageReportTimeBucket", "anthropic.types.beta.organization:BetaAnalyticsUsageReportTimeBucket", "serialization"),
    ("AnalyticsCostReportTimeBucket", "anthropic.types.beta.organization:BetaAnalyticsCostReportTimeBucket", "serialization"),
]

V2_OPENAI = [
    ("ChatCompletionCreateParamsNonStreaming", "openai.types.chat.completion_create_params:CompletionCreateParamsNonStreaming", "validation"),
    ("ChatCompletionCreateParamsStreaming", "openai.types.chat.completion_create_params:CompletionCreateParamsStreaming", "validation"),
    ("ChatCompletion", "openai.types.chat:ChatCompletion", "serialization"),
    ("ChatCompletionChunk", "openai.types.chat:ChatCompletionChunk", "serialization"),
]

V0_ANTHROPIC = [
    ("CompletionCreateParamsNonStreaming", "anthropic.types.completion_create_params:CompletionCreateParamsNonStreaming", "validation"),
    ("CompletionCreateParamsStreaming", "anthropic.types.completion_create_params:CompletionCreateParamsStreaming", "validation"),
    ("Completion", "anthropic.types:Completion", "serialization"),
    ("MessageCreateParamsNonStreaming", "anthropic.types.beta.message_create_params:MessageCreateParamsNonStreaming", "validation"),
    ("MessageCountTokensParams", "anthropic.types.beta.message_count_tokens_params:MessageCountTokensParams", "validation"),
    ("BatchCreateParams", "anthropic.types.beta.messages.batch_create_params:BatchCreateParams", "validation"),
]

# TypedDicts whose field sets we compare (beta vs non-beta; version diffs).
V2_FIELDS = {
    "beta.MessageCreateParams": "anthropic.types.beta.message_create_params:MessageCreateParamsNonStreaming",
    "beta.MessageCountTokensParams": "anthropic.types.beta.message_count_tokens_params:MessageCountTokensParams",
    "MessageCreateParams": "anthropic.types.message_create_params:MessageCreateParamsNonStreaming",
    "MessageCountTokensParams": "anthropic.types.message_count_tokens_params:MessageCountTokensParams",
    "AnthropicBetaParam": None,
}
V0_FIELDS = {
    "beta.MessageCreateParams": "anthropic.types.beta.message_create_params:MessageCreateParamsNonStreaming",
    "beta.MessageCountTokensParams": "anthropic.types.beta.message_count_tokens_params:MessageCountTokensParams",
    "MessageCreateParams": "anthropic.types.message_create_params:MessageCreateParamsNonStreaming",
    "MessageCountTokensParams": "anthropic.types.message_count_tokens_params:MessageCountTokensParams",
}


def dump_group(entries):
    inputs = []
    for key, path, mode in entries:
        inputs.append((key, mode, pydantic.TypeAdapter(_obj(path))))
    keymap, defs = pydantic.TypeAdapter.json_schemas(inputs, ref_template="#/$defs/{model}")
    roots = {}
    for (key, mode), schema in keymap.items():
        roots[key] = schema
    return {"roots": roots, "defs": defs.get("$defs", {})}


def field_sets(spec):
    out = {}
    for key, path in spec.items():
        if path is None:
            continue
        cls = _obj(path)
        out[key] = {
            "all": sorted(cls.__annotations__.keys() if not hasattr(cls, "__optional_keys__") else
                          set(cls.__required_keys__) | set(cls.__optional_keys__)),
            "required": sorted(getattr(cls, "__required_keys__", ())),
        }
    return out


def beta_names():
    from anthropic.types import anthropic_beta_param as abp

    args = typing.get_args(abp.AnthropicBetaParam)
    names = []
    for a in args:
        names.extend(x for x in typing.get_args(a) if isinstance(x, str))
    return sorted(set(names))


def error_codes() -> list[list]:
    """[status, error_code] pairs the SDK maps to typed errors (`details.error_code` in the body)."""
    try:
        from anthropic._error_classes import ERROR_CLASSES
    except ImportError:  # older SDKs have no per-code error classes
        return []
    return sorted([status, code] for status, code in ERROR_CLASSES if code)


def model_lifecycle() -> dict:
    """Model ids the SDK's `Model` literal names, and its deprecated models with their retirement dates."""
    from anthropic.types import model as model_module

    literal = [a for a in typing.get_args(model_module.Model) if typing.get_args(a)]
    known = sorted({x for a in literal for x in typing.get_args(a) if isinstance(x, str)})
    try:
        from anthropic._data.deprecated_models import DEPRECATED_MODELS
    except ImportError:
        DEPRECATED_MODELS = {}
    return {"known": known, "deprecated": dict(sorted(DEPRECATED_MODELS.items()))}


def main() -> None:
    profile = sys.argv[1]
    import anthropic

    out = {"sdk": {"anthropic": anthropic.__version__, "pydantic": pydantic.__version__}, "groups": {}}
    if profile == "v2":
        import openai

        out["sdk"]["openai"] = openai.__version__
        out["groups"]["anthropic"] = dump_group(V2_ANTHROPIC)
        out["groups"]["openai"] = dump_group(V2_OPENAI)
        out["fields"] = field_sets(V2_FIELDS)
        out["betas"] = beta_names()
        out["error_codes"] = error_codes()
        out["models"] = model_lifecycle()
    elif profile == "v0":
        out["groups"]["anthropic"] = dump_group(V0_ANTHROPIC)
        out["fields"] = field_sets(V0_FIELDS)
        out["betas"] = beta_names()
    else:
        raise SystemExit("profile must be v2 or v0")
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
