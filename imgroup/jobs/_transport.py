"""The transport of a job's async client: a connection per worker, and idle ones closed soon."""

from __future__ import annotations

from typing import TYPE_CHECKING

# httpcore looks at every idle connection of its pool (a poll of the socket) for each request and each answer,
# so connections opened for a burst (the machine stalls, the workers' booked times pass, they all send at once)
# cost every later call for as long as they stay open. Closing them after a second idle keeps the pool at what
# the job's pace needs; a second is long enough that a steady pace never closes a connection it still uses.
# Measured on the emulator at 200/s, 16 workers, load average 4-6: httpx's 5 s kept 10-12 connections and
# 0.55-0.67 ms of CPU per item in the pool's bookkeeping; 1 s keeps 5-7 and 0.26-0.32 ms.
IDLE_CONNECTION_EXPIRY_S = 1.0

if TYPE_CHECKING:
    import ssl

    import httpx


def job_transport(concurrency: int, *, verify: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    """The client's transport for a job: a worker has one call in flight, so it never needs more connections.

    ``verify`` is the TLS context the clients of the process share (``imgroup.runtime.tls_context()``): left to
    itself, httpx would parse the CA bundle again for each transport, and a worker makes one for each partition.
    """
    import httpx  # only a job that runs needs it; ``imgroup bulk --help`` does not

    limits = httpx.Limits(
        max_connections=concurrency,
        max_keepalive_connections=concurrency,
        keepalive_expiry=IDLE_CONNECTION_EXPIRY_S,
    )
    return httpx.AsyncHTTPTransport(limits=limits, verify=verify)
