"""AppState: everything built once per worker and shared by all its requests, as typed fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .http.offload import Offload
from .spec import Operation, Router, load_spec
from .spec.operations import index_operations
from .spec.validation import Validators

if TYPE_CHECKING:
    from .catalog import Catalog
    from .config import Config
    from .db import ObjectStore
    from .engine.context import PromptCache


@dataclass(slots=True)
class AppState:
    config: Config
    spec: dict[str, Any]
    operations: list[Operation]
    router: Router
    validators: Validators
    known_betas: frozenset[str]
    # Services: opened by the parts that need them (a stateless server opens no store).
    store: ObjectStore | None = None
    catalog: Catalog | None = None
    prompt_cache: PromptCache | None = None
    webhooks: Any = None  # resources.webhook_outbox.Outbox, made by the webhooks family on first use
    closers: list[Callable[[], None]] = field(default_factory=list)  # run once by MockApp.close
    offload: Offload = field(default_factory=Offload)  # CPU work of large requests, off the event loop

    def close(self) -> None:
        self.offload.close()
        closers, self.closers = self.closers, []
        for closer in closers:
            closer()


def build_state(config: Config) -> AppState:
    spec = load_spec(config.spec_path)
    views = spec_views(spec)
    return AppState(
        config=config,
        spec=spec,
        operations=views.operations,
        router=views.router,
        validators=views.validators,
        known_betas=views.known_betas,
    )


@dataclass(frozen=True, slots=True)
class SpecViews:
    """What a spec alone decides, read-only once built (validators only memoise their compilation)."""
    operations: list[Operation]
    router: Router
    validators: Validators
    known_betas: frozenset[str]


_VIEWS: dict[int, tuple[dict[str, Any], SpecViews]] = {}
_KEPT = 4  # as many as load_spec caches


def spec_views(spec: dict[str, Any]) -> SpecViews:
    """Built once per parsed spec (load_spec caches it), so the many apps of one process (tests, a
    conformance replay's fresh mock per file) share the operations index and compiled validators."""
    cached = _VIEWS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    operations = index_operations(spec)
    views = SpecViews(operations, Router(operations), Validators(spec, operations),
                      frozenset(spec.get("x-mock-known-betas", ())))
    if len(_VIEWS) >= _KEPT:
        _VIEWS.pop(next(iter(_VIEWS)))
    _VIEWS[id(spec)] = (spec, views)
    return views
