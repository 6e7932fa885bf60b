"""Sending result messages to an MNS queue or topic with aliyun-mns-sdk.

The SDK's Account/Queue objects are not thread-safe, so each thread keeps its own, keyed by
endpoint and credentials (STS tokens rotate). Failures are retried with backoff inside the
invocation's time budget, then raised as a TransientError: the photo is not marked done.
"""

import threading
import time
from typing import Optional

from .budget import Deadline, backoff_delay
from .errors import TransientError

MNS_SEND_FAILED = "mns_send_failed"
# Server error codes worth another try; others (QueueNotExist, AccessDenied…) fail at once.
_RETRYABLE_CODES = ("InternalError", "ServiceUnavailable", "Throttling", "TooManyRequests",
                    "NetWorkException", "RespDataDamaged", "ServiceBusy", "TimeOut")

_local = threading.local()


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
        self.max_attempts = max_attempts
        self._sleep = sleep

    @property
    def destination(self) -> str:
        return f"queue {self.queue}" if self.queue else f"topic {self.topic}"

    def publish(self, body: str, deadline: Optional[Deadline] = None) -> str:
        """Send `body`; returns the MNS message id. Raises TransientError when it cannot."""
        from mns.mns_exception import MNSExceptionBase

        deadline = deadline or Deadline(self.timeout_s * self.max_attempts)
        last = None
        for attempt in range(self.max_attempts):
            try:
                return self._send(body)
            except MNSExceptionBase as e:
                last = e
                if getattr(e, "type", "") not in _RETRYABLE_CODES:
                    break
            if attempt + 1 == self.max_attempts:
                break
            delay = backoff_delay(attempt)
            if delay + 0.5 >= deadline.remaining():
                break
            self._sleep(delay)
        code = getattr(last, "type", "unknown")
        raise TransientError(MNS_SEND_FAILED,
                             f"could not send the result message to {self.destination}: "
                             f"{code} ({str(getattr(last, 'message', ''))[:120]})")

    def _send(self, body: str) -> str:
        if self.queue:
            from mns.queue import Message

            return self._destination().send_message(Message(body)).message_id
        from mns.topic import TopicMessage

        return self._destination().publish_message(TopicMessage(body)).message_id

    def _destination(self):
        """This thread's SDK object for the destination, created on first use."""
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
            cache[cache_key] = account.get_queue(self.queue) if self.queue \
                else account.get_topic(self.topic)
        return cache[cache_key]
