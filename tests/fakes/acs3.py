"""The server side of Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256), from its spec.

Function Compute 3.0's "签名机制" page (and "V3版本请求体&签名机制"), step by step:

    CanonicalRequest = Method \\n CanonicalURI \\n CanonicalQueryString \\n CanonicalHeaders \\n
                       SignedHeaders \\n HashedRequestPayload
    StringToSign     = "ACS3-HMAC-SHA256" \\n HexEncode(SHA256(CanonicalRequest))
    Signature        = HexEncode(HMAC-SHA256(AccessKeySecret, StringToSign))
    Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<a;b;c>,Signature=<hex>

CanonicalURI and CanonicalQueryString are RFC 3986-encoded per segment / per name and value
(unreserved A-Z a-z 0-9 - _ . ~ kept), parameters sorted by name. CanonicalHeaders are host,
content-type and every x-acs-* header, names lower-cased and sorted, values trimmed; every
such header must be signed. HashedRequestPayload is the lower-case hex SHA-256 of the body and
must equal x-acs-content-sha256. Like a real gateway, `Verifier` also refuses a stale
x-acs-date and a reused x-acs-signature-nonce (replay), and an STS token it did not issue.
"""

import hashlib
import hmac
import threading
from datetime import datetime, timezone
from typing import Dict, Iterable, Optional, Tuple
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = "ACS3-HMAC-SHA256"
MAX_CLOCK_SKEW_S = 15 * 60
_UNRESERVED = "-_.~"


class Refused(Exception):
    """The request is not authenticated; `code` is the error code the gateway answers with."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message


def rfc3986(text: str) -> str:
    return quote(text, safe=_UNRESERVED)


def canonical_uri(raw_path: str) -> str:
    return "/".join(rfc3986(unquote(segment)) for segment in raw_path.split("/")) or "/"


def canonical_query(raw_query: str) -> str:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    return "&".join(f"{rfc3986(name)}={rfc3986(value)}" for name, value in sorted(pairs))


def must_sign(name: str) -> bool:
    return name in ("host", "content-type") or name.startswith("x-acs-")


def canonical_headers(headers: Iterable[Tuple[str, str]], signed: Iterable[str]) -> str:
    values: Dict[str, list] = {}
    for name, value in headers:
        values.setdefault(name.lower(), []).append(value.strip())
    return "".join(f"{name}:{','.join(sorted(values.get(name, [''])))}\n" for name in signed)


def canonical_request(method: str, target: str, headers, signed, body: bytes) -> str:
    parts = urlsplit(target)
    return "\n".join([method.upper(), canonical_uri(parts.path), canonical_query(parts.query),
                      canonical_headers(headers, signed), ";".join(signed),
                      hashlib.sha256(body).hexdigest()])


def signature(secret: str, canonical: str) -> str:
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
    return hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_authorization(value: str) -> Tuple[str, Tuple[str, ...], str]:
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise Refused(400, "IncompleteSignature", f"unsupported algorithm {algorithm[:32]!r}")
    fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
    try:
        return (fields["Credential"], tuple(fields["SignedHeaders"].split(";")),
                fields["Signature"])
    except KeyError as e:
        raise Refused(400, "IncompleteSignature", f"Authorization lacks {e.args[0]}") from None


class Verifier:
    """Checks requests signed for one AccessKey (and, if given, one STS token)."""

    def __init__(self, access_key_id: str, access_key_secret: str,
                 security_token: Optional[str] = None, clock=lambda: datetime.now(timezone.utc)):
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.security_token = security_token
        self._clock = clock
        self._nonces = set()
        self._lock = threading.Lock()

    def verify(self, method: str, target: str, headers, body: bytes) -> str:
        """Returns the canonical request it signed over; raises Refused."""
        items = [(name, value) for name, value in headers.items()]
        present = {name.lower(): value for name, value in items}
        key_id, signed, claimed = parse_authorization(present.get("authorization", ""))
        unsigned = sorted(name for name in present if must_sign(name) and name not in signed)
        if unsigned or list(signed) != sorted(set(signed)):
            raise Refused(400, "IncompleteSignature",
                          f"headers not signed or not sorted: {';'.join(unsigned)}")
        if present.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
            raise Refused(400, "ContentSHA256Mismatch", "x-acs-content-sha256 is not the body's")
        self._check_date(present.get("x-acs-date", ""))
        canonical = canonical_request(method, target, items, signed, body)
        if key_id != self.access_key_id:
            raise Refused(403, "InvalidAccessKeyId.NotFound", "unknown AccessKey ID")
        if not hmac.compare_digest(signature(self.access_key_secret, canonical), claimed):
            # What gateways answer; echoing the canonical request (security token included) is
            # the worst an error message can carry, so the client is tested against it.
            raise Refused(403, "SignatureDoesNotMatch",
                          f"the signature does not match; server CanonicalRequest: {canonical}")
        if self.security_token is not None and \
                present.get("x-acs-security-token") != self.security_token:
            raise Refused(403, "InvalidSecurityToken", "the STS token is not valid")
        self._use_nonce(present.get("x-acs-signature-nonce", ""))
        return canonical

    def _check_date(self, value: str) -> None:
        try:
            sent = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            raise Refused(400, "InvalidTimeStamp.Format", "x-acs-date is not ISO 8601 UTC") \
                from None
        if abs((self._clock() - sent).total_seconds()) > MAX_CLOCK_SKEW_S:
            raise Refused(400, "InvalidTimeStamp.Expired", "x-acs-date is too far off")

    def _use_nonce(self, nonce: str) -> None:
        with self._lock:
            if not nonce or nonce in self._nonces:
                raise Refused(400, "SignatureNonceUsed", "x-acs-signature-nonce was used before")
            self._nonces.add(nonce)
