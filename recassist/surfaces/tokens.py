"""User tokens: JWTs (HS256, by PyJWT) that the embedding app's backend signs with
`api.user_token_secret`, naming a user (`sub`) until `exp`.

The server caps their lifetime: a token whose `exp` is more than `api.max_user_token_ttl_s` ahead is
refused, so a backend that signs a 100-year token gets an error, not a key for life. PyJWT validates
`exp` (a number of seconds; a string, NaN or a missing one is refused) and the signature; the
algorithm is fixed, so `alg: none` or a public-key confusion cannot pass.
"""

from __future__ import annotations

import time

import jwt

from recassist.errors import UserTokenError

ALGORITHM = "HS256"
DEFAULT_MAX_TTL_S = 24 * 3600


def sign_user_token(secret: str, user_id: str, ttl_s: int = 3600, now: float | None = None) -> str:
    """A token naming `user_id` until `ttl_s` seconds from `now`, for the widget's
    `data-user-token`."""
    issued = int(now if now is not None else time.time())
    return jwt.encode(
        {"sub": user_id, "iat": issued, "exp": issued + int(ttl_s)}, secret, algorithm=ALGORITHM
    )


def verify_user_token(
    secret: str, token: str, now: float | None = None, max_ttl_s: int = DEFAULT_MAX_TTL_S
) -> str:
    """The user id a token names; UserTokenError if it is malformed, badly signed, expired, or valid
    for longer than `max_ttl_s` from now."""
    at = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp"], "verify_exp": False},
        )
    except jwt.InvalidSignatureError as err:
        raise UserTokenError(
            "the user token's signature does not match api.user_token_secret"
        ) from err
    except jwt.InvalidTokenError as err:
        raise UserTokenError(
            f"the user token is not a valid JWT with 'sub' and 'exp': {err}"
        ) from err
    expires = claims["exp"]
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise UserTokenError("the user token's 'exp' must be whole seconds since 1970")
    if expires < at:
        raise UserTokenError(
            "the user token has expired; the page must get a fresh one from its backend"
        )
    if expires > at + max_ttl_s:
        raise UserTokenError(
            f"the user token is valid for more than {max_ttl_s} s; sign shorter tokens "
            "(api.max_user_token_ttl_s)"
        )
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise UserTokenError("the user token's 'sub' must be a user id")
    return claims["sub"]
