"""python-telegram-bot's HTTP layer on aiohttp instead of httpx: the Bot API calls of a big round.

PTB's default `HTTPXRequest` spent about 2 ms of event-loop time per call against a local fake
(httpcore over anyio walks every pooled connection and opens cancel scopes per read and write),
aiohttp about 0.4 ms with its C parser: at Telegram's 1,000 paid posts/s that is the difference
between a process that keeps the pace and one that cannot. aiohttp is already a dependency
(discord.py, the metrics server).

Errors keep PTB's meaning, and `errors.never_sent` reads the cause: a connection never made
(refused, the connect timeout, or no free connection in `connect + pool` seconds) is
`ClientConnectorError` or `ConnectionTimeoutError`, so nothing reached Telegram; any other
failure may hide a message Telegram did send. aiohttp never retries a POST by itself.
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# What aiohttp raises before a single byte of the request left: safe to send again.
NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
Body = bytes | aiohttp.FormData | None


class AiohttpRequest(BaseRequest):
    """One aiohttp session with up to `connections` keep-alive connections to the Bot API."""

    def __init__(
        self, connections: int, *, connect: float, read: float, write: float, pool: float
    ) -> None:
        self._connections = connections
        self._read = read
        self._write = write  # aiohttp has no write timeout: it bounds the whole call instead
        self._connect = connect
        self._pool = pool
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """The read timeout PTB adds a long poll's own wait to."""
        return self._read

    async def initialize(self) -> None:
        """Opens the session on the running loop (idempotent, like `HTTPXRequest`)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Closes every connection; `initialize` opens a new session afterwards."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call: form fields (multipart when it uploads files); status and body back."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        connect = _given(connect_timeout, self._connect)
        waiting = connect + _given(pool_timeout, self._pool)  # a free connection, then TCP
        read = _given(read_timeout, self._read)
        timeout = aiohttp.ClientTimeout(
            total=waiting + _given(write_timeout, self._write) + read,
            connect=waiting,
            sock_connect=connect,
            sock_read=read,
        )
        body, headers = _encoded(request_data)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise TimedOut(  # PTB's words: the burst benchmark counts these lines
                "Pool timeout or connect timeout: no connection to the Bot API in time. "
                "Request was *not* sent to Telegram."
            ) from error
        except TimeoutError as error:  # aiohttp's read timeouts, or the whole call's
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _given(value: object, default: float) -> float:
    """A timeout passed to the Bot method, else this transport's own."""
    return value if isinstance(value, int | float) else default


def _encoded(request_data: RequestData | None) -> tuple[Body, dict[str, str] | None]:
    """A urlencoded form, or multipart with the files PTB gives as (name, content, MIME) tuples.

    The form is encoded here: aiohttp's `FormData` draws a random multipart boundary even for
    a plain form, a system call per request.
    """
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return urlencode(request_data.json_parameters).encode(), FORM
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, None
