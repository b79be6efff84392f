"""usage.service_tier: "priority" when the request allows it and the key's organization has
Priority Tier capacity (`--priority-key`), as the API does; else "standard".

`service_tier: "auto"` (the default) uses priority capacity when there is some;
`"standard_only"` never does.
"""

from __future__ import annotations

from typing import Any


def service_tier(request: Any, api_key: str, priority_keys: tuple[str, ...]) -> str | None:
    """The tier to report, or None for the engine's default (standard)."""
    if not priority_keys or not isinstance(request, dict) or request.get("service_tier") == "standard_only":
        return None
    return "priority" if "*" in priority_keys or api_key in priority_keys else None
