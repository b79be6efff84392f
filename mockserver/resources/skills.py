"""Custom Skills and their versions.

Two wire shapes: the current one (`display_name`, `latest_version_id`, `source: {type}`) and, when the
call sends the operation's skills beta (as the 0.x SDK's beta namespace does), the beta one
(`display_title`, `latest_version`, `source: "custom"`). Versions are addressed by their
`skillver_` id, their epoch-microseconds `version` string, or `latest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import ApiError, invalid_request
from ..http.replies import BytesReply, JsonReply, Reply
from ..store import Store
from .forms import open_form
from .paging import fetch, next_token
from .services import store_of, stored
from .skill_bundle import Bundle, read_bundle, save_bundle
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState



def beta_shaped(call: Call) -> bool:
    """The skills beta header selects the beta wire shape (the spec's `x-mock-beta-responses`)."""
    return call.has_beta(call.operation.default_beta or "")


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "skills_create": create_skill,
        "skills_list": list_skills,
        "skills_retrieve": retrieve_skill,
        "skills_delete": delete_skill,
        "skill_versions_create": create_version,
        "skill_versions_list": list_versions,
        "skill_versions_retrieve": retrieve_version,
        "skill_versions_delete": delete_version,
        "skill_versions_download": download_version,
    }


# -- skills ---------------------------------------------------------------------------------------

async def create_skill(call: Call) -> Reply:
    async with open_form(call) as form:
        bundle = await read_bundle(_file_parts(form))
        title = form.get("display_name") or form.get("display_title")
    title = title if isinstance(title, str) and title else None
    store = store_of(call)
    if title is not None and beta_shaped(call) and store.count("skill", where={"display_title": [title]}):
        raise invalid_request("Skill cannot reuse an existing display_title")
    now = call.received_at
    blob = save_bundle(store, bundle)
    with store.transaction():
        skill = store.insert("skill", {"display_title": title, "name": bundle.name, "source": "custom",
                                       "created_at": now, "updated_at": now, "latest_version": None,
                                       "latest_version_id": None}, prefix="skill_")
        skill = _add_version(store, skill, bundle, blob, now)[0]
    return JsonReply(render_skill(call, skill))


def list_skills(call: Call) -> Reply:
    source = call.query.get("source")
    if source not in (None, "custom"):
        return JsonReply({"data": [], "has_more": False, "next_page": None})
    page = fetch(store_of(call), "skill", call.query)
    return JsonReply({"data": [render_skill(call, doc) for doc in page.items], "has_more": page.has_more,
                      "next_page": next_token(page)})


def retrieve_skill(call: Call) -> Reply:
    return JsonReply(render_skill(call, _skill(call)))


def delete_skill(call: Call) -> Reply:
    store, skill = store_of(call), _skill(call)
    with store.transaction():
        if store.count("skill_version", parent=skill["id"]):
            raise invalid_request("Cannot delete skill with existing versions. Delete all versions first.")
        store.delete("skill", skill["id"])
    return JsonReply({"id": skill["id"], "type": "skill_deleted"})


def render_skill(call: Call, skill: dict[str, Any]) -> dict[str, Any]:
    stamps = {"created_at": rfc3339(skill["created_at"]), "updated_at": rfc3339(skill["updated_at"])}
    if beta_shaped(call):
        return {"id": skill["id"], "type": "skill", "display_title": skill["display_title"],
                "latest_version": skill["latest_version"], "source": skill["source"], **stamps}
    return {"id": skill["id"], "type": "skill", "display_name": skill["display_title"] or skill["name"],
            "latest_version_id": skill["latest_version_id"] or "", "source": {"type": skill["source"]}, **stamps}


# -- versions -------------------------------------------------------------------------------------

async def create_version(call: Call) -> Reply:
    skill = _skill(call)
    async with open_form(call) as form:
        bundle = await read_bundle(_file_parts(form))
    if bundle.name != skill["name"]:
        raise invalid_request(f"The skill name '{bundle.name}' in SKILL.md does not match this skill's name "
                              f"'{skill['name']}'.")
    store = store_of(call)
    blob = save_bundle(store, bundle)
    with store.transaction():
        version = _add_version(store, skill, bundle, blob, call.received_at)[1]
    return JsonReply(render_version(version))


def list_versions(call: Call) -> Reply:
    skill = _skill(call)
    page = fetch(store_of(call), "skill_version", call.query, parent=skill["id"])
    return JsonReply({"data": [render_version(doc) for doc in page.items], "has_more": page.has_more,
                      "next_page": next_token(page)})


def retrieve_version(call: Call) -> Reply:
    return JsonReply(render_version(_version(call, _skill(call))))


def delete_version(call: Call) -> Reply:
    store, skill = store_of(call), _skill(call)
    with store.transaction():
        version = _version(call, skill)
        store.delete("skill_version", version["id"], parent=skill["id"])
        _relink_latest(store, skill["id"], call.received_at)
    store.delete_blob(version["blob"])
    deleted_id = version["version"] if beta_shaped(call) else version["id"]
    return JsonReply({"id": deleted_id, "type": "skill_version_deleted"})


def download_version(call: Call) -> Reply:
    version = _version(call, _skill(call))
    filename = f"{version['directory']}.zip"
    return BytesReply(store_of(call).blob_chunks(version["blob"]), content_type="application/zip",
                      headers={"content-disposition": f'attachment; filename="{filename}"'})


def render_version(version: dict[str, Any]) -> dict[str, Any]:
    return {"id": version["id"], "type": "skill_version", "skill_id": version["skill_id"],
            "version": version["version"], "name": version["name"], "description": version["description"],
            "directory": version["directory"], "created_at": rfc3339(version["created_at"])}


def _add_version(store: Store, skill: dict[str, Any], bundle: Bundle, blob: tuple[str, int],
                 now: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new version of `skill` (inside the caller's transaction), made its latest: (skill, version)."""
    stamp = int(now * 1_000_000)
    while _find_version(store, skill["id"], str(stamp)) is not None:
        stamp += 1
    version = store.insert("skill_version", {
        "skill_id": skill["id"], "version": str(stamp), "name": bundle.name, "description": bundle.description,
        "directory": bundle.directory, "created_at": now, "blob": blob[0], "size": blob[1],
    }, prefix="skillver_", parent=skill["id"])

    def point_to(doc: dict[str, Any]) -> None:
        doc.update(latest_version=version["version"], latest_version_id=version["id"], updated_at=now)

    return store.update("skill", skill["id"], point_to) or skill, version


def _relink_latest(store: Store, skill_id: str, now: float) -> None:
    newest = store.page("skill_version", parent=skill_id, limit=1).items

    def point_to(doc: dict[str, Any]) -> None:
        doc["latest_version"] = newest[0]["version"] if newest else None
        if newest:
            doc["latest_version_id"] = newest[0]["id"]
        doc["updated_at"] = now

    store.update("skill", skill_id, point_to)


def _file_parts(form: Any) -> list[Any]:
    return [*form.getlist("files[]"), *form.getlist("files")]


def _skill(call: Call) -> dict[str, Any]:
    return stored(call, "skill", "skill_id", "Skill")


def _version(call: Call, skill: dict[str, Any]) -> dict[str, Any]:
    store, wanted = store_of(call), call.path_params["version"]
    if wanted == "latest":
        newest = store.page("skill_version", parent=skill["id"], limit=1).items
        found = newest[0] if newest else None
    elif wanted.startswith("skillver_"):
        found = store.get("skill_version", wanted, parent=skill["id"])
    else:
        found = _find_version(store, skill["id"], wanted)
    if found is None:
        raise ApiError("not_found_error", f"Skill version {wanted} not found for skill {skill['id']}")
    return found


def _find_version(store: Store, skill_id: str, version: str) -> dict[str, Any] | None:
    """A skill's version by its epoch-microseconds `version` string."""
    found = store.all("skill_version", parent=skill_id, where={"version": [version]})
    return found[0] if found else None
