"""Every HTTP operation the installed `anthropic` SDK calls, read from its resource code (run INSIDE an SDK venv).

    /tmp/spec-v2/bin/python tools/sdk_routes.py            # JSON on stdout

Each synchronous resource method that calls `self._get/_post/_put/_patch/_delete/_get_api_list` is one
operation: its method and path template, the beta name it sends by default, the headers it sets, and
the types of its body, query and response (a page class and item type for list methods, the event type
for streams, `binary` for downloads). Types are resolved in the resource module's namespace and dumped
as JSON Schemas with pydantic, like tools/sdk_dump.py. Bodies and queries the SDK writes inline (no
`*Params` TypedDict) become a TypedDict made from the method's own parameter annotations.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import sys
import typing

import pydantic

CALLS = {"_get": "get", "_post": "post", "_put": "put", "_patch": "patch", "_delete": "delete", "_get_api_list": "get"}
NOT_FIELDS = {"self", "extra_headers", "extra_query", "extra_body", "timeout", "betas"}


def resource_files(root: str) -> list[str]:
    out = []
    for folder, _, names in os.walk(os.path.join(root, "resources")):
        out += [os.path.join(folder, n) for n in names if n.endswith(".py") and not n.startswith("__")]
    return sorted(out)


def module_name(root: str, path: str) -> str:
    rel = os.path.relpath(path, os.path.dirname(root))[:-3]
    return rel.replace(os.sep, ".")


def operation_id(root: str, path: str, method: str) -> str:
    parts = os.path.relpath(path, os.path.join(root, "resources"))[:-3].split(os.sep)
    collapsed = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
    return "_".join(collapsed + [method])


def _path_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "path_template" and node.args:
        return _path_of(node.args[0])
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                       for v in node.values)
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _payload(node: ast.expr | None) -> tuple[list[str] | None, ast.expr | None]:
    """(inline keys, TypedDict expression) of a `body=`/`query=` argument."""
    if node is None:
        return None, None
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("maybe_transform", "async_maybe_transform"):
        keys, _ = _payload(node.args[0])
        return keys, node.args[1] if len(node.args) > 1 else None
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant)], None
    return None, None


def _unwrap_cast(node: ast.expr | None) -> ast.expr | None:
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "cast" and len(node.args) == 2:
        return node.args[1]
    return node


def _headers(func: ast.FunctionDef) -> tuple[str | None, list[str]]:
    beta, names = None, set()
    for node in ast.walk(func):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value.startswith("anthropic-"):
                    names.add(k.value)
                    if k.value == "anthropic-beta" and isinstance(v, ast.Constant) and isinstance(v.value, str):
                        beta = v.value
    return beta, sorted(names - {"anthropic-beta"})


def methods_of(tree: ast.Module):
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef) and not cls.name.startswith("Async") and any(
                getattr(b, "id", "") == "SyncAPIResource" for b in cls.bases):
            for func in cls.body:
                if isinstance(func, ast.FunctionDef) and not func.name.startswith("_"):
                    yield cls.name, func


def find_call(func: ast.FunctionDef) -> ast.Call | None:
    for node in ast.walk(func):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLS
                and getattr(node.func.value, "id", "") == "self"):
            return node
    return None


def calls(root: str) -> set[tuple[str, str]]:
    """(method, path template) of every resource method of the SDK installed at `root`, from its code alone."""
    found = set()
    for path in resource_files(root):
        with open(path) as handle:
            tree = ast.parse(handle.read())
        for _, func in methods_of(tree):
            call = find_call(func)
            route = _path_of(call.args[0]) if call and call.args else None
            if route is not None:
                found.add((CALLS[call.func.attr], route))
    return found


class Resolver:
    """Evaluates type expressions of one resource module in its namespace; collects what to dump."""

    def __init__(self) -> None:
        self.inputs: list[tuple[str, str, object]] = []

    def add(self, key: str, mode: str, tp: object) -> str:
        self.inputs.append((key, mode, tp))
        return key


def _clean_hint(tp):
    """Drop the SDK's Omit / NotGiven sentinels from a parameter annotation."""
    args = typing.get_args(tp)
    if args and typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        kept = tuple(a for a in args if getattr(a, "__name__", "") not in ("Omit", "NotGiven"))
        return typing.Union[kept] if len(kept) > 1 else kept[0]
    return tp


def inline_typed_dict(name: str, method, keys: list[str]):
    hints = typing.get_type_hints(method, include_extras=True)
    params = inspect.signature(method).parameters
    fields, required = {}, set()
    for key in keys:
        if key not in hints:
            continue
        fields[key] = _clean_hint(hints[key])
        if params[key].default is inspect.Parameter.empty:
            required.add(key)
    annotations = {k: (typing_extensions.Required[v] if k in required else typing_extensions.NotRequired[v])
                   for k, v in fields.items()}
    return typing_extensions.TypedDict(name, annotations)


import typing_extensions  # noqa: E402  (the SDK's own dependency)


def describe(root: str, path: str, resolver: Resolver) -> list[dict]:
    with open(path) as handle:
        tree = ast.parse(handle.read())
    module = importlib.import_module(module_name(root, path))
    names = vars(module)
    out = []
    for cls_name, func in methods_of(tree):
        call = find_call(func)
        route = _path_of(call.args[0]) if call and call.args else None
        if route is None:
            continue
        op = {"id": operation_id(root, path, func.name), "method": CALLS[call.func.attr], "path": route,
              "sdk": f"{module.__name__}:{cls_name}.{func.name}"}
        op["beta"], op["headers"] = _headers(func)
        method = getattr(getattr(module, cls_name), func.name)
        for where, node in (("body", _kw(call, "body")), ("query", _kw(_kw(call, "options") or call, "query"))):
            keys, typed = _payload(node)
            if typed is not None:
                tp = eval(compile(ast.Expression(typed), path, "eval"), names)
            elif keys:
                tp = inline_typed_dict(f"{op['id']}_{where}", method, keys)
            else:
                continue
            op[where] = resolver.add(f"{op['id']}.{where}", "validation", tp)
        op["multipart"] = _kw(call, "files") is not None
        _response(op, call, names, path, resolver)
        out.append(op)
    return out


def _response(op: dict, call: ast.Call, names: dict, path: str, resolver: Resolver) -> None:
    def ev(node):
        return eval(compile(ast.Expression(node), path, "eval"), names)

    page, stream_cls = _kw(call, "page"), _kw(call, "stream_cls")
    if page is not None:
        page_cls = ev(page)
        op["page"] = ast.unparse(page.value if isinstance(page, ast.Subscript) else page)
        op["page_fields"] = sorted(k for k in page_cls.model_fields if k != "data")
        op["response"] = resolver.add(f"{op['id']}.item", "serialization", ev(_kw(call, "model")))
    elif stream_cls is not None:
        op["stream"] = resolver.add(f"{op['id']}.event", "serialization", typing.get_args(ev(stream_cls))[0])
    else:
        cast_to = _unwrap_cast(_kw(call, "cast_to"))
        tp = ev(cast_to)
        if getattr(tp, "__name__", "").endswith("BinaryAPIResponse"):
            op["binary"] = True
        elif tp is not type(None) and tp is not object:
            op["response"] = resolver.add(f"{op['id']}.response", "serialization", tp)


def main() -> None:
    import anthropic

    root = os.path.dirname(anthropic.__file__)
    resolver, ops = Resolver(), []
    for path in resource_files(root):
        ops += describe(root, path, resolver)
    adapters, skipped = [], []
    for key, mode, tp in resolver.inputs:
        try:
            adapters.append((key, mode, pydantic.TypeAdapter(tp)))
        except pydantic.PydanticUserError:
            skipped.append(key)  # e.g. runtime-only tool helpers in Messages' inline signature
    keymap, defs = pydantic.TypeAdapter.json_schemas(adapters, ref_template="#/$defs/{model}")
    roots = {key: schema for (key, _), schema in keymap.items()}
    json.dump({"sdk": anthropic.__version__, "operations": ops, "roots": roots, "defs": defs.get("$defs", {}),
               "skipped": skipped},
              sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
