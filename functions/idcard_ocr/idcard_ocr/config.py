"""Settings, read once per invocation from environment variables (the public interface).

Every problem is reported with the variable's name before any API call is made.
"""

import ipaddress
import os
import re
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from .errors import ConfigError
from .card.keys import is_image_key

MARKETPLACE_URL = "https://dm-51.data.aliyun.com/rest/160601/ocr/ocr_idcard.json"
# Hosts that bill per call and therefore need an AppCode; a self-hosted engine may not.
_MARKETPLACE_HOSTS = (".aliyun.com", ".alicloudapi.com", ".aliyuncs.com")
_ENCRYPTIONS = {"": None, "none": None, "aes256": "AES256", "kms": "KMS"}
_SIDES = ("auto", "face", "back")
_FORMATS = ("new", "old")
ENGINES = ("api", "local", "cascade")
PAID_ENGINES = ("api", "cascade")  # the modes that call OCR_API_URL
_APPCODE = re.compile(r"^[!-~]+$")  # printable ASCII, no spaces: it goes into a header
# Variables Function Compute sets in every instance (the FC_ prefix is reserved to it).
_FC_VARIABLES = ("FC_REGION", "FC_FUNCTION_NAME", "FC_INSTANCE_ID", "FC_FUNC_CODE_PATH")
REGION_PATTERN = re.compile(r"^[a-z]{2,}(-[a-z0-9]+){1,4}$")


@dataclass(frozen=True)
class Settings:
    api_url: str = MARKETPLACE_URL
    ocr_engine: str = "api"
    appcode: Optional[str] = field(default=None, repr=False)
    appcode_secret_name: Optional[str] = None  # the AppCode in KMS Secrets Manager instead
    kms_endpoint: Optional[str] = None
    timeout_s: float = 10.0
    max_attempts: int = 4
    request_format: str = "new"
    oss_endpoint: Optional[str] = None
    card_side: str = "auto"
    result_suffix: str = ".json"
    result_prefix: str = ""
    result_bucket: Optional[str] = None
    result_encryption: Optional[str] = "AES256"
    result_kms_key_id: Optional[str] = None
    image_max_side: int = 2048
    image_max_bytes: int = 3 * 1024 * 1024
    source_max_bytes: int = 50 * 1024 * 1024
    image_max_pixels: int = 100_000_000
    outputs: Tuple[str, ...] = ("oss",)
    mns_endpoint: Optional[str] = None
    mns_queue: Optional[str] = None
    mns_topic: Optional[str] = None
    mns_fields: str = "masked"
    mns_key_mode: str = "full"
    save_crops: bool = False
    crop_prefix: str = "crops/"
    crop_card_suffix: str = ".card.jpg"
    crop_portrait_suffix: str = ".portrait.jpg"
    quality_info: bool = False
    region: Optional[str] = None
    signing_keys: Tuple[str, ...] = field(default=(), repr=False)  # first signs, all verify
    memory_mb: Optional[int] = None           # the function's memory, from FC
    inside_fc: bool = False  # FC set its variables: OSS's internal endpoint is reachable
    engine_url: Optional[str] = None          # cascade: the engine function (else in-process)
    engine_appcode: Optional[str] = field(default=None, repr=False)
    engine_appcode_secret_name: Optional[str] = None  # the engine's AppCode in KMS instead
    engine_timeout_s: float = 5.0             # cascade: the engine's share of the invocation
    # cascade: CASCADE_MIN_CONFIDENCE, (field, threshold) replacing card/vouching.py's fitted
    # ones (pairs, not a dict: Settings stays hashable)
    confidence_overrides: Tuple[Tuple[str, float], ...] = ()
    force_api: bool = False                   # cascade: CASCADE_FORCE_API, the kill switch
    image_max_decoded_mb: Optional[int] = None  # explicit decoding budget; else from memory_mb

    def signer(self):
        """The results' Signer. RESULT_SIGNING_KEY is required by everything that reads or
        writes results, and checked before anything is called."""
        from .card.signatures import HOW_TO_MAKE_A_KEY, Signer

        if not self.signing_keys:
            raise ConfigError("RESULT_SIGNING_KEY", "is required: results are signed so that "
                                                    "whoever can write to the bucket cannot forge "
                                                    "one; the templates generate it (locally: "
                                                    f"{HOW_TO_MAKE_A_KEY})")
        return Signer(self.signing_keys)

    @property
    def writes_json(self) -> bool:
        return "oss" in self.outputs

    @property
    def sends_messages(self) -> bool:
        return "mns" in self.outputs

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None,
                 recognizes: bool = True) -> "Settings":
        """`recognizes=False` for commands that never call the OCR API (report, a dry run,
        hand-overs to the deployed function): OCR_APPCODE is then not asked for."""
        env = _Env(os.environ if environ is None else environ)
        # Both carry an AppCode in a header: https, plain http only to this machine.
        api_url = env.url("OCR_API_URL", MARKETPLACE_URL, secure=True)
        engine = env.choice("OCR_ENGINE", "api", ENGINES)
        appcode, secret_name = _appcode_source(env, "OCR_APPCODE")
        if appcode is None and secret_name is None and engine in PAID_ENGINES and recognizes \
                and _is_marketplace(api_url):
            raise ConfigError("OCR_APPCODE", f"is required for the marketplace endpoint "
                                             f"{urlsplit(api_url).hostname}; set it in the "
                                             f"function's environment variables")
        engine_url = env.url("ENGINE_URL", None, secure=True)
        if engine_url is not None and engine != "cascade":
            raise ConfigError("ENGINE_URL", "is read only with OCR_ENGINE=cascade (for "
                                            "OCR_ENGINE=api, point OCR_API_URL at the engine)")
        engine_appcode, engine_secret_name = _appcode_source(env, "ENGINE_APPCODE")
        if engine_secret_name is not None and engine_url is None:
            raise ConfigError("ENGINE_APPCODE_SECRET_NAME", "is read only with ENGINE_URL (the "
                                                            "engine function it opens)")
        no_engine_appcode = env.flag("ENGINE_WITHOUT_APPCODE", False)
        if engine_url is not None and engine_appcode is None and engine_secret_name is None \
                and not no_engine_appcode and recognizes:
            # The deployed engine refuses a request without its AppCode: every photo went to
            # the API, paid for, and nothing said why.
            raise ConfigError("ENGINE_APPCODE", "is required with ENGINE_URL (the AppCode the "
                                                "engine function accepts, or "
                                                "ENGINE_APPCODE_SECRET_NAME); for an engine that "
                                                "takes none, set ENGINE_WITHOUT_APPCODE=true")
        if no_engine_appcode and (engine_url is None or engine_appcode is not None
                                  or engine_secret_name is not None):
            raise ConfigError("ENGINE_WITHOUT_APPCODE", "is read only with ENGINE_URL and no "
                                                        "ENGINE_APPCODE or its _SECRET_NAME")
        overrides = _confidence_overrides(env.text("CASCADE_MIN_CONFIDENCE"))
        force_api = env.flag("CASCADE_FORCE_API", False)
        if engine != "cascade":
            for name, given in (("CASCADE_MIN_CONFIDENCE", overrides),
                                ("CASCADE_FORCE_API", force_api)):
                if given:
                    raise ConfigError(name, "is read only with OCR_ENGINE=cascade")
        suffix = env.text("RESULT_SUFFIX", ".json")
        if not suffix.startswith(".") or len(suffix) < 2 or "/" in suffix:
            raise ConfigError("RESULT_SUFFIX", f"must start with '.' and name a file ending, "
                                               f"got {suffix!r}")

        if is_image_key("x" + suffix):
            raise ConfigError("RESULT_SUFFIX", f"{suffix!r} is an image ending: results "
                                               f"would trigger the function again")
        prefix = env.text("RESULT_PREFIX", "")
        if prefix.startswith("/"):
            raise ConfigError("RESULT_PREFIX", "must not start with '/'")
        outputs = _outputs(env.text("OUTPUT", "oss"))
        mns_endpoint, mns_queue, mns_topic = (env.url("MNS_ENDPOINT", None),
                                              env.text("MNS_QUEUE"), env.text("MNS_TOPIC"))
        if "mns" in outputs:
            if not mns_endpoint:
                raise ConfigError("MNS_ENDPOINT", "is required when OUTPUT includes mns, e.g. "
                                                  "https://<account-id>.mns.<region>.aliyuncs.com")
            if bool(mns_queue) == bool(mns_topic):
                raise ConfigError("MNS_QUEUE", "set exactly one of MNS_QUEUE and MNS_TOPIC "
                                               "when OUTPUT includes mns")
        crop_prefix = env.text("CROP_PREFIX", "crops/")
        if crop_prefix.lower() in ("none", "-"):
            crop_prefix = ""
        card_suffix = env.text("CROP_CARD_SUFFIX", ".card.jpg")
        portrait_suffix = env.text("CROP_PORTRAIT_SUFFIX", ".portrait.jpg")
        for variable, crop_suffix in (("CROP_CARD_SUFFIX", card_suffix),
                                      ("CROP_PORTRAIT_SUFFIX", portrait_suffix)):
            if not crop_suffix.startswith(".") or "/" in crop_suffix:
                raise ConfigError(variable, f"must start with '.' and hold no '/'; "
                                            f"got {crop_suffix!r}")
            if not crop_prefix and is_image_key("x" + crop_suffix):
                raise ConfigError("CROP_PREFIX", f"crops named *{crop_suffix} next to the photos "
                                                 f"would trigger the function again: give "
                                                 f"them a prefix outside the upload prefix")
        return cls(
            signing_keys=_signing_keys(env.text("RESULT_SIGNING_KEY")),
            save_crops=env.flag("SAVE_CROPS", False),
            crop_prefix=crop_prefix,
            crop_card_suffix=card_suffix,
            crop_portrait_suffix=portrait_suffix,
            quality_info=env.flag("OCR_QUALITY_INFO", False),
            region=env.region("FC_REGION"),
            inside_fc=any(env.text(name) for name in _FC_VARIABLES),
            memory_mb=_optional_int(env, "FC_FUNCTION_MEMORY_SIZE", 64, 32768),
            image_max_decoded_mb=_optional_int(env, "IMAGE_MAX_DECODED_MB", 16, 16384),
            outputs=outputs,
            mns_endpoint=mns_endpoint,
            mns_queue=mns_queue,
            mns_topic=mns_topic,
            mns_fields=env.choice("MNS_FIELDS", "masked", ("full", "masked", "none")),
            mns_key_mode=env.choice("MNS_KEY_MODE", "full", ("full", "masked", "hashed")),
            api_url=api_url,
            ocr_engine=engine,
            engine_url=engine_url,
            engine_appcode=engine_appcode,
            engine_appcode_secret_name=engine_secret_name,
            confidence_overrides=tuple(overrides.items()),
            force_api=force_api,
            engine_timeout_s=env.number("ENGINE_TIMEOUT_S", 5.0, low=0.5, high=60),
            appcode=appcode,
            appcode_secret_name=secret_name,
            kms_endpoint=env.url("KMS_ENDPOINT", None, secure=True),  # the AppCode is its answer
            timeout_s=env.number("OCR_TIMEOUT_S", 10.0, low=0.1, high=300),
            max_attempts=int(env.number("OCR_MAX_ATTEMPTS", 4, low=1, high=10, integer=True)),
            request_format=env.choice("OCR_REQUEST_FORMAT", "new", _FORMATS),
            oss_endpoint=env.url("OSS_ENDPOINT", None),
            card_side=env.choice("CARD_SIDE", "auto", _SIDES),
            result_suffix=suffix,
            result_prefix=prefix,
            result_bucket=env.text("RESULT_BUCKET"),
            result_encryption=_ENCRYPTIONS[env.choice("RESULT_ENCRYPTION", "AES256",
                                                       tuple(_ENCRYPTIONS), )],
            result_kms_key_id=env.text("RESULT_KMS_KEY_ID"),
            image_max_side=int(env.number("IMAGE_MAX_SIDE", 2048, low=256, high=8192,
                                          integer=True)),
            image_max_bytes=int(env.number("IMAGE_MAX_BYTES", 3 * 1024 * 1024,
                                           low=64 * 1024, high=10 * 1024 * 1024, integer=True)),
            source_max_bytes=int(env.number("SOURCE_MAX_BYTES", 50 * 1024 * 1024,
                                            low=1024, high=1024 ** 3, integer=True)),
            image_max_pixels=int(env.number("IMAGE_MAX_PIXELS", 100_000_000,
                                            low=1_000_000, high=400_000_000, integer=True)),
        )

    def oss_endpoint_for(self, region: Optional[str] = None) -> str:
        """OSS_ENDPOINT, else the endpoint of the function's region: the internal one inside
        Function Compute (no traffic charge), the public one elsewhere (the internal name
        resolves only inside Alibaba Cloud).

        The region comes from FC_REGION (set by FC), the FC context or the command line, never
        from an event: a crafted record must not choose where signed requests and the STS token
        go.
        """
        if self.oss_endpoint:
            return self.oss_endpoint
        region = region or self.region
        if not region:
            raise ConfigError("OSS_ENDPOINT", "is not set and the function's region is unknown "
                                              "(FC sets FC_REGION; locally, set OSS_ENDPOINT or "
                                              "pass --region)")
        if not REGION_PATTERN.match(region):
            raise ConfigError("FC_REGION", f"{region[:40]!r} is not a region id such as "
                                           f"cn-hangzhou")
        internal = "-internal" if self.inside_fc else ""
        return f"https://oss-{region}{internal}.aliyuncs.com"


def _signing_keys(value: Optional[str]) -> Tuple[str, ...]:
    from .card.signatures import (HOW_TO_MAKE_A_KEY, MIN_KEY_BITS, MIN_KEY_LENGTH,
                                  estimated_bits)

    if not value:
        return ()
    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    for position, key in enumerate(keys, 1):
        if len(key) < MIN_KEY_LENGTH or not _APPCODE.match(key):
            raise ConfigError("RESULT_SIGNING_KEY", f"each key (comma-separated, the first "
                                                    f"signs) must be at least {MIN_KEY_LENGTH} "
                                                    f"printable characters without spaces; "
                                                    f"make one with {HOW_TO_MAKE_A_KEY}")
        if estimated_bits(key) < MIN_KEY_BITS:  # the key itself is never named
            raise ConfigError("RESULT_SIGNING_KEY", f"key {position} is too easy to guess "
                                                    f"(about {estimated_bits(key):.0f} bits of "
                                                    f"the {MIN_KEY_BITS} needed: repeated or few "
                                                    f"different characters); make one with "
                                                    f"{HOW_TO_MAKE_A_KEY}")
    return keys


def _appcode_source(env: "_Env", setting: str) -> Tuple[Optional[str], Optional[str]]:
    """(the AppCode given in `setting`, the KMS secret name in `<setting>_SECRET_NAME`): at
    most one of them, the AppCode printable ASCII without spaces."""
    appcode = env.text(setting)
    if appcode is not None and not _APPCODE.match(appcode):
        raise ConfigError(setting, "must be printable ASCII without spaces")
    secret_name = env.text(f"{setting}_SECRET_NAME")
    if secret_name is not None and appcode is not None:
        raise ConfigError(setting, f"set either {setting} or {setting}_SECRET_NAME, not both")
    return appcode, secret_name


def _confidence_overrides(value: Optional[str]) -> Dict[str, float]:
    """CASCADE_MIN_CONFIDENCE: `0.97` (every field), `address=0.99,name=0.97` (those fields), or
    both (`0.97,address=0.99`: every field 0.97, the address 0.99). A threshold above 1 is
    refused: CASCADE_FORCE_API is the way to send everything to the API. A field's threshold
    given is its large print's too (card/vouching.py's `address_large_print`), unless that is
    given by its own name."""
    from .card.documents import FIELDS
    from .card.vouching import LARGE_PRINT, LARGE_PRINT_FIELDS

    if value is None:
        return {}
    names = [name for side in ("face", "back") for name in FIELDS[side]] + [
        name + LARGE_PRINT for name in LARGE_PRINT_FIELDS]
    every: Optional[float] = None
    out: Dict[str, float] = {}
    for part in (p.strip() for p in value.split(",")):
        name, _, number = part.rpartition("=")
        name = name.strip()
        if name and name not in names:
            raise ConfigError("CASCADE_MIN_CONFIDENCE", f"{name[:20]!r} is not a field; the "
                                                        f"fields are {', '.join(names)}")
        try:
            threshold = float(number)
        except ValueError:
            threshold = float("nan")
        if not 0 <= threshold <= 1:  # NaN fails too
            raise ConfigError("CASCADE_MIN_CONFIDENCE", f"{part[:30]!r} is not a threshold: "
                                                        f"a number from 0 to 1, alone (every "
                                                        f"field) or as field=number, "
                                                        f"comma-separated")
        if name:
            out[name] = threshold
        elif every is None:
            every = threshold
        else:
            raise ConfigError("CASCADE_MIN_CONFIDENCE", "holds two thresholds for every field")
    for name in LARGE_PRINT_FIELDS:
        if name in out:
            out.setdefault(name + LARGE_PRINT, out[name])
    return {**({n: every for n in names} if every is not None else {}), **out}


def _optional_int(env: "_Env", name: str, low: int, high: int) -> Optional[int]:
    if env.text(name) is None:
        return None
    return int(env.number(name, 0, low=low, high=high, integer=True))


def _outputs(value: str) -> Tuple[str, ...]:
    parts = tuple(sorted({part.strip().lower() for part in value.split(",") if part.strip()}))
    if not parts or any(part not in ("oss", "mns") for part in parts):
        raise ConfigError("OUTPUT", f"must be oss, mns or oss,mns; got {value!r}")
    return parts


def _is_marketplace(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host.endswith(suffix) for suffix in _MARKETPLACE_HOSTS)


class _Env:
    """Typed reads of environment variables; blank counts as unset."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def text(self, name: str, default: Optional[str] = None) -> Optional[str]:
        value = self._environ.get(name)
        if value is None or not value.strip():
            return default
        return value.strip()

    def choice(self, name: str, default: str, allowed) -> str:
        value = (self.text(name, default) or "").lower()
        if value not in allowed:
            shown = ", ".join(a for a in allowed if a) or "(none)"
            raise ConfigError(name, f"must be one of {shown}; got {value!r}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = (self.text(name) or ("true" if default else "false")).lower()
        if value not in ("true", "false", "1", "0", "yes", "no"):
            raise ConfigError(name, f"must be true or false; got {value!r}")
        return value in ("true", "1", "yes")

    def number(self, name: str, default: float, low: float, high: float,
               integer: bool = False) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise ConfigError(name, f"must be {kind}; got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(name, f"must be between {low:g} and {high:g}; got {raw}")
        return value

    def region(self, name: str) -> Optional[str]:
        value = self.text(name)
        if value is not None and not REGION_PATTERN.match(value):
            raise ConfigError(name, f"{value[:40]!r} is not a region id such as cn-hangzhou")
        return value

    def url(self, name: str, default: Optional[str], secure: bool = False) -> Optional[str]:
        """An http(s) URL; `secure`: https, or plain http to a loopback host only (what
        travels to or from it, an AppCode or a token, must not cross a network in clear text)."""
        value = self.text(name, default)
        if value is None:
            return None
        parts, host = split_url(value)
        if parts.scheme not in ("http", "https") or not host:
            raise ConfigError(name, f"must be an http(s) URL; got {value[:80]!r}")
        if not unambiguous_url(value):
            raise ConfigError(name, "must be a URL without backslashes, spaces or control "
                                    "characters (HTTP clients read such a URL's host differently)")
        if secure and parts.scheme == "http" and not is_loopback(host):
            raise ConfigError(name, f"must be https:// (plain http only to a loopback host): "
                                    f"an AppCode or token travels over it; got "
                                    f"http://{host[:60]}...")
        return value


def split_url(value: str):
    """(urlsplit's parts, host); an empty URL's parts and None for a malformed host or port
    ("[::1", "[zz]", ":99999"), on which urlsplit or its attributes raise ValueError."""
    try:
        parts = urlsplit(value)
        if parts.port is not None and not 0 < parts.port:  # .port raises on most bad ports
            return urlsplit(""), None
        return parts, parts.hostname
    except ValueError:
        return urlsplit(""), None


def unambiguous_url(value: str) -> bool:
    """False for a URL whose host our check and the HTTP client would read differently:
    urlsplit finds 127.0.0.1 in "http://evil.com\\@127.0.0.1/" (and drops tabs and newlines),
    requests/urllib3 send it to evil.com. A real endpoint's URL has none of these."""
    return not any(c == "\\" or c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: a request that never leaves this machine."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"
