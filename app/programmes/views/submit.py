"""(being written)"""
from . import bp  # noqa: F401
from ...core.security import public


@bp.get("/s/<token>")
@public
def status(token: str):
    raise NotImplementedError
