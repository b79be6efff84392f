"""What tools/check_spec.py holds the spec to: its operationIds, and the SDK models each example must satisfy."""

OPERATION_IDS = """messages_create messages_count_tokens batches_create batches_list batches_retrieve batches_results
batches_cancel batches_delete models_list models_retrieve files_upload files_list files_retrieve_metadata files_download
files_delete skills_create skills_list skills_retrieve skills_delete skill_versions_create skill_versions_list
skill_versions_retrieve skill_versions_delete skill_versions_download completions_create organization_me api_keys_list
api_keys_retrieve api_keys_update users_list users_retrieve users_update users_delete invites_create invites_retrieve
invites_list invites_delete workspaces_create workspaces_retrieve workspaces_list workspaces_update workspaces_archive
workspace_members_create workspace_members_retrieve workspace_members_list workspace_members_update
workspace_members_delete usage_report_messages usage_report_claude_code cost_report chat_completions_create
analytics_usage_report analytics_cost_report users_sign_out compliance_review_cases_list compliance_review_cases_retrieve
compliance_review_cases_respond compliance_review_items_retrieve compliance_review_notices_list
claude_code_managed_settings_configuration_retrieve claude_code_managed_settings_configuration_update
claude_code_rbac_group_default_retrieve claude_code_rbac_group_default_update claude_code_rbac_group_settings_list
claude_code_rbac_group_settings_retrieve claude_code_rbac_group_settings_set claude_code_rbac_group_settings_delete
external_storage_create external_storage_list external_storage_retrieve external_storage_update external_storage_delete
external_storage_activate google_project_data_controls_retrieve google_project_data_controls_update
user_profile_google_data_controls_retrieve user_profile_google_data_controls_update oauth_token""".split()

METHODS = ("get", "post", "put", "patch", "delete")

MS = "anthropic.types.beta.organization.claude_code.managed_settings"

# operationId -> SDK models (dotted "module:attr") the JSON 200 example must satisfy, per SDK.
# "items" means: validate each element of `data` (page wrappers are generic classes).
# Models both SDK generations define for these operations (checked in each venv).
COMMON_SDK_MODELS = {
    "messages_create": ["anthropic.types:Message", "anthropic.types.beta:BetaMessage"],
    "messages_count_tokens": ["anthropic.types:MessageTokensCount", "anthropic.types.beta:BetaMessageTokensCount"],
    "batches_create": ["anthropic.types.messages:MessageBatch", "anthropic.types.beta.messages:BetaMessageBatch"],
    "batches_retrieve": ["anthropic.types.messages:MessageBatch", "anthropic.types.beta.messages:BetaMessageBatch"],
    "batches_cancel": ["anthropic.types.messages:MessageBatch", "anthropic.types.beta.messages:BetaMessageBatch"],
    "batches_list": ["items:anthropic.types.messages:MessageBatch", "items:anthropic.types.beta.messages:BetaMessageBatch"],
    "batches_delete": ["anthropic.types.messages:DeletedMessageBatch", "anthropic.types.beta.messages:BetaDeletedMessageBatch"],
    "batches_results": ["anthropic.types.messages:MessageBatchIndividualResponse", "anthropic.types.beta.messages:BetaMessageBatchIndividualResponse"],
    "models_list": ["items:anthropic.types:ModelInfo", "items:anthropic.types.beta:BetaModelInfo"],
    "models_retrieve": ["anthropic.types:ModelInfo", "anthropic.types.beta:BetaModelInfo"],
    "files_upload": ["anthropic.types:FileMetadata", "anthropic.types.beta:BetaFileMetadata"],
    "files_list": ["items:anthropic.types:FileMetadata", "items:anthropic.types.beta:BetaFileMetadata"],
    "files_retrieve_metadata": ["anthropic.types:FileMetadata", "anthropic.types.beta:BetaFileMetadata"],
    "files_delete": ["anthropic.types:DeletedFile", "anthropic.types.beta:BetaDeletedFile"],
}

SDK_MODELS = {
    "v2": {
        **COMMON_SDK_MODELS,
        "skills_create": ["anthropic.types:Skill", "anthropic.types.beta:BetaSkill"],
        "skills_list": ["items:anthropic.types:Skill", "items:anthropic.types.beta:BetaSkill"],
        "skills_retrieve": ["anthropic.types:Skill", "anthropic.types.beta:BetaSkill"],
        "skills_delete": ["anthropic.types:DeletedSkill", "anthropic.types.beta:BetaDeletedSkill"],
        "skill_versions_create": ["anthropic.types.skills:SkillVersion", "anthropic.types.beta.skills:BetaSkillVersion"],
        "skill_versions_list": ["items:anthropic.types.skills:SkillVersion", "items:anthropic.types.beta.skills:BetaSkillVersion"],
        "skill_versions_retrieve": ["anthropic.types.skills:SkillVersion", "anthropic.types.beta.skills:BetaSkillVersion"],
        "skill_versions_delete": ["anthropic.types.skills:DeletedSkillVersion", "anthropic.types.beta.skills:BetaDeletedSkillVersion"],
        "organization_me": ["anthropic.types:OrganizationInfo"],
        "api_keys_list": ["items:anthropic.types.organization:APIKey"],
        "api_keys_retrieve": ["anthropic.types.organization:APIKey"],
        "api_keys_update": ["anthropic.types.organization:APIKey"],
        "users_list": ["items:anthropic.types.organization:OrganizationUser"],
        "users_retrieve": ["anthropic.types.organization:OrganizationUser"],
        "users_update": ["anthropic.types.organization:OrganizationUser"],
        "users_sign_out": ["anthropic.types.beta.organization:BetaOrganizationUser"],
        "users_delete": ["anthropic.types.organization:UserRemoveResponse"],
        "invites_create": ["anthropic.types.organization:OrganizationInvite"],
        "invites_retrieve": ["anthropic.types.organization:OrganizationInvite"],
        "invites_list": ["items:anthropic.types.organization:OrganizationInvite"],
        "invites_delete": ["anthropic.types.organization:InviteDeleteResponse"],
        "workspaces_create": ["anthropic.types.organization:Workspace"],
        "workspaces_retrieve": ["anthropic.types.organization:Workspace"],
        "workspaces_list": ["items:anthropic.types.organization:Workspace"],
        "workspaces_update": ["anthropic.types.organization:Workspace"],
        "workspaces_archive": ["anthropic.types.organization:Workspace"],
        "workspace_members_create": ["anthropic.types.organization:WorkspaceMember"],
        "workspace_members_retrieve": ["anthropic.types.organization:WorkspaceMember"],
        "workspace_members_list": ["items:anthropic.types.organization:WorkspaceMember"],
        "workspace_members_update": ["anthropic.types.organization:WorkspaceMember"],
        "workspace_members_delete": ["anthropic.types.organization.workspaces:MemberRemoveResponse"],
        "analytics_usage_report": ["items:anthropic.types.beta.organization:BetaAnalyticsUsageReportTimeBucket"],
        "analytics_cost_report": ["items:anthropic.types.beta.organization:BetaAnalyticsCostReportTimeBucket"],
        "chat_completions_create": ["openai.types.chat:ChatCompletion"],
        "compliance_review_cases_list": ["items:anthropic.types.beta.compliance.review:BetaComplianceReviewCase"],
        "compliance_review_cases_retrieve": ["anthropic.types.beta.compliance.review:BetaComplianceReviewCase"],
        "compliance_review_cases_respond": ["anthropic.types.beta.compliance.review:BetaComplianceReviewCase"],
        "compliance_review_items_retrieve": ["anthropic.types.beta.compliance.review:BetaComplianceReviewItem"],
        "compliance_review_notices_list": ["items:anthropic.types.beta.compliance.review:BetaComplianceReviewNotice"],
        "claude_code_managed_settings_configuration_retrieve": [f"{MS}:BetaClaudeCodeManagedSettingsConfiguration"],
        "claude_code_managed_settings_configuration_update": [f"{MS}:BetaClaudeCodeManagedSettingsConfiguration"],
        "claude_code_rbac_group_default_retrieve": [f"{MS}:BetaClaudeCodeRBACGroupDefaultManagedSettings"],
        "claude_code_rbac_group_default_update": [f"{MS}:BetaClaudeCodeRBACGroupDefaultManagedSettings"],
        "claude_code_rbac_group_settings_list": [f"items:{MS}:BetaClaudeCodeRBACGroupManagedSettingsSummary"],
        "claude_code_rbac_group_settings_retrieve": [f"{MS}:BetaClaudeCodeRBACGroupManagedSettings"],
        "claude_code_rbac_group_settings_set": [f"{MS}:BetaClaudeCodeRBACGroupManagedSettings"],
        "claude_code_rbac_group_settings_delete": [f"{MS}:BetaDeletedClaudeCodeRBACGroupManagedSettings"],
        **{op: ["anthropic.types.beta.organization:BetaExternalStorage"] for op in (
            "external_storage_create", "external_storage_retrieve", "external_storage_update", "external_storage_activate")},
        "external_storage_list": ["items:anthropic.types.beta.organization:BetaExternalStorage"],
        "external_storage_delete": ["anthropic.types.beta.organization:BetaDeletedExternalStorage"],
        **{op: ["anthropic.types.beta.organization.providers.google.projects:BetaGoogleManagedProjectDataControls"]
           for op in ("google_project_data_controls_retrieve", "google_project_data_controls_update")},
        **{op: ["anthropic.types.beta.user_profiles.providers.google:BetaGoogleManagedDataControls"]
           for op in ("user_profile_google_data_controls_retrieve", "user_profile_google_data_controls_update")},
    },
    "v0": {
        **COMMON_SDK_MODELS,
        "skills_create": ["anthropic.types:Skill"],
        "skills_list": ["items:anthropic.types:Skill"],
        "skills_retrieve": ["anthropic.types:Skill"],
        "skills_delete": ["anthropic.types:DeletedSkill", "anthropic.types.beta:SkillDeleteResponse"],
        "skill_versions_create": ["anthropic.types.skills:SkillVersion", "anthropic.types.beta.skills:VersionCreateResponse"],
        "skill_versions_list": ["items:anthropic.types.skills:SkillVersion", "items:anthropic.types.beta.skills:VersionListResponse"],
        "skill_versions_retrieve": ["anthropic.types.skills:SkillVersion", "anthropic.types.beta.skills:VersionRetrieveResponse"],
        "skill_versions_delete": ["anthropic.types.skills:DeletedSkillVersion", "anthropic.types.beta.skills:VersionDeleteResponse"],
        "completions_create": ["anthropic.types:Completion"],
    },
}
# x-mock-beta-responses variants: (operationId, beta) -> models per SDK
SDK_BETA_MODELS = {
    "v0": {
        ("skills_create", "skills-2025-10-02"): ["anthropic.types.beta:SkillCreateResponse"],
        ("skills_retrieve", "skills-2025-10-02"): ["anthropic.types.beta:SkillRetrieveResponse"],
        ("skills_list", "skills-2025-10-02"): ["items:anthropic.types.beta:SkillListResponse"],
    },
    "v2": {},
}
# SSE / JSONL payload models: operationId -> models for each event payload (by `type`)
SDK_STREAM = {
    "v2": {
        "messages_create": ["union:anthropic.types:RawMessageStreamEvent", "union:anthropic.types.beta:BetaRawMessageStreamEvent"],
        "chat_completions_create": ["openai.types.chat:ChatCompletionChunk"],
    },
    "v0": {
        "messages_create": ["union:anthropic.types:RawMessageStreamEvent", "union:anthropic.types.beta:BetaRawMessageStreamEvent"],
        "completions_create": ["anthropic.types:Completion"],
    },
}
# Error bodies of components/responses -> SDK error model (types the SDK does not model are skipped)
SDK_ERROR = {
    "v2": "anthropic.types:ErrorResponse",
    "v0": "anthropic.types:ErrorResponse",
}
SDK_ERROR_TYPES_UNKNOWN = {"conflict_error", "request_too_large"}
