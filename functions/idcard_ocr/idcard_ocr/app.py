"""The composition root: from settings and credentials to a ready pipeline.

The only place that chooses implementations: which recognizer (marketplace API or the
in-process engine), which outputs, which buckets hold photos and results. The FC handler,
`idcard-ocr invoke`, `backfill --mode local`, `report` and the review console all build their
parts here, so they agree on where results live and how they are judged.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple, TypeVar

from .config import PAID_ENGINES, Settings
from .errors import ConfigError, TransientError
from .imaging import ImageLimits
from .imaging.prepare import MEMORY_SHARE, RESERVED_MB, memory_budget
from .io.offline import OfflineEngine
from .io.log import log_event, register_secret
from .io.ocr_api import MarketplaceClient
from .io.oss import Credentials, ObjectStore
from .io.results import ResultLocation, ResultStore
from .io.retry import Deadline
from .io.seams import Output, Recognizer
from .pipeline import Pipeline, PipelineOptions


@dataclass(frozen=True)
class Uses:
    """What a command will do, so that it asks only for the settings that serve it: `report`
    and a dry run never recognise a photo, so they need no AppCode."""

    recognition: bool = True  # calls the OCR API or the engine (OCR_APPCODE, its KMS secret)


EVERYTHING = Uses()
READING = Uses(recognition=False)  # lists photos and reads results, recognises nothing

_T = TypeVar("_T")


class App:
    """Everything one configuration needs, built once and safe to share between threads."""

    def __init__(self, settings: Settings, credentials: Credentials,
                 region: Optional[str] = None, memory_mb: Optional[int] = None,
                 uses: Uses = EVERYTHING):
        self.settings = settings
        self.credentials = credentials
        self.limits = _image_limits(settings, memory_mb)
        self.endpoint = settings.oss_endpoint_for(region)
        self.location = ResultLocation.from_settings(settings)
        self.signer = settings.signer()
        for secret in settings.signing_keys:
            register_secret(secret)
        self.uses = uses
        self.appcode = _appcode_source(settings, credentials, region) if uses.recognition \
            else None
        self.engine_appcode = _engine_appcode_source(settings, credentials, region) \
            if uses.recognition else None
        if settings.ocr_engine in PAID_ENGINES and uses.recognition:
            self.appcode.current()  # a missing or unreadable secret fails here, before any call
        if self.engine_appcode is not None:
            try:  # a missing or refused secret of the engine's fails here, too, and reading
                # it takes no more than the engine's share of an invocation
                self.engine_appcode.current(Deadline(settings.engine_timeout_s))
            except TransientError:
                # KMS unreachable for now: the engine's client reads the secret again when it
                # is asked, and while it cannot, the engine fails and the API reads. Failing
                # here failed every photo the API could have read.
                log_event(logging.WARNING, "the engine's AppCode is unavailable for now; the "
                                           "API reads until KMS answers",
                          variable="ENGINE_APPCODE_SECRET_NAME")
        self._buckets: Dict[Tuple[str, str], ObjectStore] = {}
        self._lock = threading.Lock()
        self._recognizer: Optional[Recognizer] = None
        self._outputs: Optional[List[Output]] = None

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[str, str]] = None, context=None,
                         region: Optional[str] = None, uses: Uses = EVERYTHING) -> "App":
        """Settings from the environment, credentials from the FC context or the environment.

        Raises ConfigError before anything is called, naming every missing or invalid setting
        that `uses` needs (all of them at once, not the first alone).
        """
        problems: List[ConfigError] = []

        def check(read: Callable[[], _T]) -> Optional[_T]:
            try:
                return read()
            except ConfigError as e:
                problems.append(e)
                return None

        region = region or _context_region(context)
        settings = check(lambda: Settings.from_env(environ, recognizes=uses.recognition))
        credentials = check(lambda: Credentials.resolve(context, environ))
        if settings is not None:
            check(settings.signer)
            check(lambda: settings.oss_endpoint_for(region))
            if uses.recognition and credentials is not None:
                check(lambda: _appcode_source(settings, credentials, region))
                check(lambda: _engine_appcode_source(settings, credentials, region))
            if uses.recognition and _reads_in_process(settings):
                check(lambda: _engine_models(environ))
        if problems:
            raise ConfigError.all_of(problems)
        return cls(settings, credentials, region, _context_memory(context), uses)

    def bucket(self, name: str) -> ObjectStore:
        """The bucket `name` at this configuration's endpoint (one client per bucket)."""
        with self._lock:
            store = self._buckets.get((self.endpoint, name))
            if store is None:
                store = ObjectStore.connect(self.endpoint, name, self.credentials,
                                            timeout_s=self.settings.timeout_s)
                self._buckets[self.endpoint, name] = store
            return store

    def results(self, source_bucket: str) -> ResultStore:
        """Where the results of photos in `source_bucket` live."""
        settings = self.settings
        return ResultStore(self.bucket(self.location.bucket_for(source_bucket)), self.location,
                           source_bucket, self.signer, settings.result_encryption,
                           settings.result_kms_key_id)

    @property
    def recognizer(self) -> Recognizer:
        with self._lock:
            if self._recognizer is None:
                if not self.uses.recognition:
                    raise ConfigError("OCR_APPCODE", "this command was set up to recognise "
                                                     "nothing, so its settings were not read")
                self._recognizer = _recognizer(self.settings, self.appcode,
                                               self.engine_appcode)
            return self._recognizer

    @property
    def outputs(self) -> List[Output]:
        """The destinations besides the result store, in delivery order, from OUTPUT."""
        with self._lock:
            if self._outputs is None:
                self._outputs = [_OUTPUTS[name](self) for name in self.settings.outputs
                                 if name in _OUTPUTS]
            return self._outputs

    def pipeline(self, request_id: Optional[str] = None, force: bool = False) -> Pipeline:
        settings = self.settings
        options = PipelineOptions(
            card_side=settings.card_side,
            limits=self.limits,
            source_max_bytes=settings.source_max_bytes,
            keeps_full_results=settings.writes_json,
            save_crops=settings.save_crops,
            quality_info=settings.quality_info,
            force=force,
        )
        return Pipeline(self.bucket, self.results, self.recognizer, self.outputs, options,
                        request_id)


def _recognizer(settings: Settings, appcode, engine_appcode=None) -> Recognizer:
    """OCR_ENGINE: the marketplace API, the engine in this process, or the cascade of both."""
    if settings.ocr_engine == "local":
        return OfflineEngine()
    api = MarketplaceClient.from_settings(settings, appcode)
    if settings.ocr_engine == "api":
        return api
    from .card.vouching import MIN_CONFIDENCE
    from .io.cascade import Cascade, engine_client

    if settings.force_api:
        engine = None  # the kill switch: nothing of the engine is needed, or asked
    elif settings.engine_url:
        engine = engine_client(settings.engine_url, engine_appcode, settings.engine_timeout_s)
    else:
        _require_engine()
        engine = OfflineEngine()
    return Cascade(engine, api, settings.engine_timeout_s,
                   thresholds={**MIN_CONFIDENCE, **dict(settings.confidence_overrides)},
                   force_api=settings.force_api)


def _reads_in_process(settings: Settings) -> bool:
    """Whether this function runs the engine itself (as _recognizer builds it)."""
    return settings.ocr_engine == "local" or (settings.ocr_engine == "cascade"
                                              and not settings.force_api
                                              and not settings.engine_url)


def _engine_models(environ: Optional[Mapping[str, str]]) -> None:
    """ConfigError naming IDCARD_ENGINE_MODELS unless the models it chooses can be loaded,
    checked at set-up rather than on the first photo. Where the engine is not installed there
    is nothing to check (_require_engine says so where it matters)."""
    from importlib.util import find_spec

    if find_spec("rapidocr_onnxruntime") is None:
        return
    from .engine.ocr import check_models

    check_models(environ)


def _require_engine() -> None:
    """ConfigError unless the engine can run in this process (its extra is in the zip)."""
    from importlib.util import find_spec

    if find_spec("rapidocr_onnxruntime") is None:
        raise ConfigError("ENGINE_URL", "is not set and the function's zip does not carry the "
                                        "engine (the `engine` extra): set ENGINE_URL to the "
                                        "engine function, or package the engine")


def _mns_output(app: App) -> Output:
    from .io.mns import MnsOutput, MnsPublisher

    settings = app.settings
    publisher = MnsPublisher(settings.mns_endpoint, app.credentials, settings.mns_queue,
                             settings.mns_topic, timeout_s=settings.timeout_s)
    return MnsOutput(publisher, settings.mns_fields, links_result=settings.writes_json,
                     key_mode=settings.mns_key_mode,
                     key_secret=settings.signing_keys[0].encode("utf-8"))


DEFAULT_MEMORY_MB = 512  # template.yml's

# OUTPUT names besides `oss` (the result store itself, always written) and how to build them.
_OUTPUTS = {"mns": _mns_output}


def _appcode_source(settings: Settings, credentials: Credentials, region: Optional[str]):
    """The marketplace's AppCode: OCR_APPCODE, or the KMS secret OCR_APPCODE_SECRET_NAME."""
    return _secret_source(settings.appcode, settings.appcode_secret_name,
                          "OCR_APPCODE_SECRET_NAME", settings, credentials, region)


def _engine_appcode_source(settings: Settings, credentials: Credentials,
                           region: Optional[str]):
    """The engine function's AppCode (ENGINE_APPCODE, or the KMS secret
    ENGINE_APPCODE_SECRET_NAME) when the cascade reads through ENGINE_URL; else None."""
    if settings.ocr_engine != "cascade" or not settings.engine_url or settings.force_api:
        # With the kill switch on, the engine is never asked: its secret is not read either,
        # so that the switch still works when that secret is what went wrong (refused,
        # deleted, KMS down).
        return None
    return _secret_source(settings.engine_appcode, settings.engine_appcode_secret_name,
                          "ENGINE_APPCODE_SECRET_NAME", settings, credentials, region)


def _secret_source(value: Optional[str], secret_name: Optional[str], variable: str,
                   settings: Settings, credentials: Credentials, region: Optional[str]):
    from .io.secrets import FixedAppCode, SecretAppCode

    if not secret_name:
        return FixedAppCode(value)
    region = region or settings.region
    endpoint = settings.kms_endpoint or (f"https://kms.{region}.aliyuncs.com" if region else None)
    if endpoint is None:
        raise ConfigError("KMS_ENDPOINT", "is not set and the function's region is unknown "
                                          "(FC sets FC_REGION)")
    return SecretAppCode(secret_name, endpoint, credentials, variable=variable)


def _image_limits(settings: Settings, memory_mb: Optional[int]) -> ImageLimits:
    """What an upload may cost: IMAGE_MAX_DECODED_MB, else a share of the function's memory
    (FC_FUNCTION_MEMORY_SIZE, or the context's), else of the template's 512 MB."""
    if settings.image_max_decoded_mb:
        budget, source = settings.image_max_decoded_mb * 2**20, "IMAGE_MAX_DECODED_MB"
    else:
        memory = settings.memory_mb or memory_mb or DEFAULT_MEMORY_MB
        budget = memory_budget(memory)
        source = f"{MEMORY_SHARE:.0%} of the function's {memory} MB less {RESERVED_MB} MB; " \
                 f"raise the memory or set IMAGE_MAX_DECODED_MB"
    return ImageLimits(settings.image_max_side, settings.image_max_bytes,
                       settings.image_max_pixels, budget, source)


def _context_memory(context) -> Optional[int]:
    function = getattr(context, "function", None)
    try:
        return int(getattr(function, "memory", None) or 0) or None
    except (TypeError, ValueError):
        return None


def _context_region(context) -> Optional[str]:
    region = getattr(context, "region", None)
    return region if isinstance(region, str) and region else None
