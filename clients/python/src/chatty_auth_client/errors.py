"""What can go wrong when checking a token: the caller's fault, or the auth service's."""


class InvalidToken(Exception):
    """The token must not be accepted (bad signature, wrong issuer, expired, revoked...).

    The message says why, for logs; never show it to the caller, who gets a plain 401.
    """


class AuthServiceUnavailable(Exception):
    """The auth service could not be asked (key set or /verify): the request cannot be judged."""
