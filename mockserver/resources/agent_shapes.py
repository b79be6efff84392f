"""Managed Agents: turn request-shaped agent fields into the response shapes the API sends back.

Requests name tools, skills and the model loosely (a model id string, a toolset with no configs, a
skill without a version); responses always carry the full objects, so nothing request-shaped is
echoed back as it came.
"""

from __future__ import annotations

from typing import Any

_ALLOW = {"type": "always_allow"}


def model_config(model: Any) -> dict[str, Any]:
    """`"claude-..."` or `{id, speed?, effort?}` -> the response's model object."""
    if isinstance(model, str):
        return {"id": model, "speed": "standard"}
    config = {"id": model.get("id", ""), "speed": model.get("speed") or "standard"}
    effort = model.get("effort")
    if effort is not None:
        config["effort"] = {"type": effort if isinstance(effort, str) else effort.get("type")}
    if model.get("inference_geo") is not None:
        config["inference_geo"] = model["inference_geo"]
    return config


def tool(param: dict[str, Any]) -> dict[str, Any]:
    kind = param.get("type")
    if kind == "custom":
        return {"type": "custom", "name": param.get("name", ""), "description": param.get("description") or "",
                "input_schema": _input_schema(param.get("input_schema") or {})}
    default = _default_config(param.get("default_config"))
    configs = [_tool_config(config, default) for config in param.get("configs") or []]
    if kind == "mcp_toolset":  # an MCP tool's config names no tool type
        configs = [{key: value for key, value in config.items() if key != "type"} for config in configs]
        return {"type": kind, "mcp_server_name": param.get("mcp_server_name", ""), "configs": configs,
                "default_config": default}
    return {"type": kind, "configs": configs, "default_config": default}


def skill(param: dict[str, Any]) -> dict[str, Any]:
    kind = param.get("type")
    if kind == "sandbox_path":
        return {"type": kind, "path": param.get("path", "")}
    if kind == "s3_mount":
        return {"type": kind, "mount_path": param.get("mount_path", ""), "region": param.get("region", ""),
                "s3_uri": param.get("s3_uri", "")}
    return {"type": param.get("type", "anthropic"), "skill_id": param.get("skill_id", ""),
            "version": str(param.get("version") or "latest")}


def mcp_server(param: dict[str, Any]) -> dict[str, Any]:
    if param.get("type") == "aws_agentcore_gateway":  # the Bedrock agents' servers
        return {"type": "aws_agentcore_gateway", "name": param.get("name", ""),
                "gateway_arn": param.get("gateway_arn", "")}
    return {"type": param.get("type", "url"), "name": param.get("name", ""), "url": param.get("url", "")}


def execution_identity(param: Any) -> dict[str, Any]:
    if isinstance(param, dict) and param.get("type") == "aws_role":
        return {"type": "aws_role", "role_arn": param.get("role_arn", "")}
    return {"type": "service_account"}


def _default_config(param: Any) -> dict[str, Any]:
    param = param if isinstance(param, dict) else {}
    enabled = param.get("enabled")
    return {"enabled": True if enabled is None else bool(enabled),
            "permission_policy": _policy(param.get("permission_policy"), _ALLOW)}


def _tool_config(param: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    enabled = param.get("enabled")
    return {"type": param.get("type", param.get("name", "")), "name": param.get("name", ""),
            "enabled": default["enabled"] if enabled is None else bool(enabled),
            "permission_policy": _policy(param.get("permission_policy"), default["permission_policy"])}


def _policy(param: Any, default: dict[str, Any]) -> dict[str, Any]:
    return {"type": param["type"]} if isinstance(param, dict) and param.get("type") else default


def _input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    shaped = {"type": "object", "properties": schema.get("properties") or {}}
    if schema.get("required"):
        shaped["required"] = list(schema["required"])
    return shaped
