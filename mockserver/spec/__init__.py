"""The OpenAPI spec: loaded once, indexed into operations, compiled into validators."""

from .loader import load_spec
from .operations import Operation, Router

__all__ = ["Operation", "Router", "load_spec"]
