from starlette.responses import Response

from config import get_config

SESSION_COOKIE = "tenantry_session"


def set_session_cookie(response: Response, token: str) -> None:
    config = get_config()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=config.session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=config.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_config().secure_cookies,
    )
