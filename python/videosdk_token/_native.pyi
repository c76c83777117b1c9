from typing import Any, Optional, Sequence, Union

class TokenError(Exception): ...
class InvalidClaims(TokenError): ...

class InvalidToken(TokenError):
    kind: str

class Claims:
    @property
    def apikey(self) -> str: ...
    @property
    def permissions(self) -> list[str]: ...
    @property
    def roles(self) -> list[str]: ...
    @property
    def version(self) -> Optional[int]: ...
    @property
    def room_id(self) -> Optional[str]: ...
    @property
    def participant_id(self) -> Optional[str]: ...
    @property
    def iat(self) -> Optional[int]: ...
    @property
    def exp(self) -> int: ...
    @property
    def nbf(self) -> Optional[int]: ...
    @property
    def allows_meetings(self) -> bool: ...
    @property
    def allows_server_api(self) -> bool: ...
    @property
    def join(self) -> Optional[str]: ...

def sign(
    api_key: str,
    permissions: Sequence[str],
    *,
    secret: Union[str, bytes],
    expires_in: Union[str, int, None] = None,
    version: Optional[int] = None,
    room_id: Optional[str] = None,
    participant_id: Optional[str] = None,
    roles: Optional[Sequence[str]] = None,
    iat: Optional[int] = None,
) -> str: ...

class Signer:
    def __init__(self, secret: Union[str, bytes], api_key: str) -> None: ...
    def sign(
        self,
        permissions: Sequence[str],
        *,
        expires_in: Union[str, int, None] = None,
        version: Optional[int] = None,
        room_id: Optional[str] = None,
        participant_id: Optional[str] = None,
        roles: Optional[Sequence[str]] = None,
        iat: Optional[int] = None,
    ) -> str: ...
    def sign_many(self, requests: Sequence[dict[str, Any]]) -> list[str]: ...

def verify(
    token: str,
    secret: Union[str, bytes],
    *,
    room_id: Optional[str] = None,
    participant_id: Optional[str] = None,
    leeway: int = 0,
    now: Optional[int] = None,
    refuse_unknown_names: bool = False,
) -> Claims: ...
def verify_payload(token: str, secret: Union[str, bytes], *, leeway: int = 0, now: Optional[int] = None) -> None: ...
def check_form(token: str) -> str: ...
def sign_payload(payload: dict[str, Any], secret: Union[str, bytes]) -> str: ...
