"""Result messages on an MNS queue or topic (aliyun-mns-sdk), as an Output.

The SDK's Account/Queue objects are not thread-safe, so each thread keeps its own, keyed by
endpoint and credentials (STS tokens rotate). Sends go through io.retry inside the
invocation's time budget; when they still fail, the photo is not marked done.
"""

import threading
import time
from typing import Optional

from .. import errors
from ..card.messages import encode, envelope
from ..errors import TransientError
from .http import Watchdog
from .log import scrub, scrub_secrets
from .retry import Deadline, RetryPolicy, call_with_retries

# Server error codes worth another try; others (QueueNotExist, AccessDenied…) are not.
_RETRYABLE_CODES = ("InternalError", "ServiceUnavailable", "Throttling", "TooManyRequests",
                    "NetWorkException", "RespDataDamaged", "ServiceBusy", "TimeOut")

_local = threading.local()


class DestinationRefused(TransientError):
    """The destination refused the message (missing queue, access denied). Another attempt in
    this invocation cannot help; FC's retries and its dead-letter queue take over."""

    retry_in_invocation = False


class MnsPublisher:
    def __init__(self, endpoint: str, credentials, queue: Optional[str] = None,
                 topic: Optional[str] = None, timeout_s: float = 10.0, max_attempts: int = 3,
                 sleep=time.sleep):
        if bool(queue) == bool(topic):
            raise ValueError("exactly one of queue and topic")
        self.endpoint = endpoint
        self.queue, self.topic = queue, topic
        self._credentials = credentials
        self.timeout_s = timeout_s
        self.policy = RetryPolicy(max_attempts=max_attempts, per_call_s=timeout_s,
                                  out_of_time_code=errors.MNS_SEND_FAILED)
        self._sleep = sleep

    @property
    def destination(self) -> str:
        return f"queue {self.queue}" if self.queue else f"topic {self.topic}"

    def publish(self, body: str, deadline: Optional[Deadline] = None) -> str:
        """Send `body`; returns the MNS message id. Raises TransientError when it cannot."""
        deadline = deadline or Deadline(self.timeout_s * self.policy.max_attempts)
        message_id, _ = call_with_retries(lambda timeout: self._send(body, timeout), deadline,
                                          self.policy, f"sending to {self.destination}",
                                          self._sleep)
        return message_id

    def _send(self, body: str, timeout: float) -> str:
        """One send, bounded as a whole by `timeout` (the SDK's own timeout bounds each read)."""
        from mns.mns_exception import MNSExceptionBase

        destination, http = self._destination()
        try:
            with Watchdog(timeout) as watchdog:
                watchdog.watch(http.conn)
                if self.queue:
                    from mns.queue import Message

                    return destination.send_message(Message(body)).message_id
                from mns.topic import TopicMessage

                return destination.publish_message(TopicMessage(body)).message_id
        except MNSExceptionBase as e:
            if watchdog.fired:
                raise TransientError(errors.MNS_SEND_FAILED,
                                     f"{self.destination} did not answer within "
                                     f"{timeout:.1f} s") from None
            code = str(getattr(e, "type", "") or "unknown")
            refused = code not in _RETRYABLE_CODES
            kind = DestinationRefused if refused else TransientError
            raise kind(errors.MNS_SEND_FAILED,
                       f"could not send the result message to {self.destination}: {code} "
                       f"({scrub(str(getattr(e, 'message', '')))[:120]})") from None

    def _destination(self):
        """This thread's SDK object for the destination and its HTTP client, made on first
        use."""
        creds = self._credentials
        cache_key = (self.endpoint, creds.access_key_id, creds.access_key_secret,
                     creds.security_token, self.queue, self.topic)
        cache = getattr(_local, "destinations", None)
        if cache is None:
            cache = _local.destinations = {}
        if cache_key not in cache:
            from mns.account import Account

            account = Account(self.endpoint, creds.access_key_id, creds.access_key_secret,
                              creds.security_token or "")
            http = account.mns_client.http
            http.set_connection_timeout(self.timeout_s)
            # The SDK applies that timeout to http:// only; its HTTPS connection has none and
            # would wait forever on a stalled endpoint.
            http.conn.timeout = self.timeout_s
            cache[cache_key] = (account.get_queue(self.queue) if self.queue
                                else account.get_topic(self.topic)), http
        return cache[cache_key]


class MnsOutput:
    """Output: every finished record becomes one message (envelope in card/messages.py)."""

    name = "mns"

    def __init__(self, publisher: MnsPublisher, fields_mode: str = "masked",
                 links_result: bool = True, key_mode: str = "full",
                 key_secret: Optional[bytes] = None):
        self.publisher = publisher
        self.fields_mode = fields_mode
        self.links_result = links_result  # the result object holds the full record
        self.key_mode = key_mode
        self._key_secret = key_secret

    def deliver(self, record: dict, result_key: str, deadline: Deadline) -> dict:
        body = encode(scrub_secrets(envelope(record, result_key if self.links_result else None,
                                             self.fields_mode, self.key_mode,
                                             self._key_secret)))
        message_id = self.publisher.publish(body, deadline)
        return dict(record, message={"id": message_id,
                                     "destination": self.publisher.destination})

    def delivered(self, record: dict) -> bool:
        return bool((record.get("message") or {}).get("id"))
