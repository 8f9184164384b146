"""Measurement 3: signing speed. UserSig generation against tls-sig-api-v2, our UserSig cache, Yunxin's CheckSum.

Each figure is operations per second of process CPU time (so that other work on the machine does not count),
from rounds long enough (about 0.2 s) to swamp the clock.
"Signing a request" runs the client's ``httpx.Auth`` flow on one request: what every call pays.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import httpx

from ._cli import main
from ._rows import Row, Summary, ratio

MEASUREMENT = "3. signing"
SDKAPPID = 1400000000
SECRET_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"  # the published test vector's key
IDENTIFIER = "administrator"
EXPIRE = 86400
YUNXIN_SECRET = "appsecret"  # the published test vector's secret
ROUND_SECONDS = 0.2


def calls_for(operation: Callable[[], object], seconds: float) -> int:
    """How many calls of ``operation`` take at least ``seconds``, doubling from one."""
    calls = 1
    while True:
        start = time.process_time()
        for _ in range(calls):
            operation()
        if time.process_time() - start >= seconds:
            return calls
        calls *= 2


def per_second(operation: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        operation()
    return calls / (time.process_time() - start)


def _contenders() -> dict[str, Callable[[], object]]:
    from TLSSigAPIv2 import TLSSigAPIv2

    from imgroup.runtime.signers.tencent_usersig import TencentUserSigAuth, gen_usersig
    from imgroup.runtime.signers.yunxin_checksum import YunxinChecksumAuth, checksum

    official = TLSSigAPIv2(SDKAPPID, SECRET_KEY)
    cached = TencentUserSigAuth(SDKAPPID, SECRET_KEY, IDENTIFIER)
    tencent_request = httpx.Request("POST", "http://127.0.0.1:9/v4/group_open_http_svc/destroy_group")
    yunxin = YunxinChecksumAuth("bench_app_key", YUNXIN_SECRET)
    yunxin_request = httpx.Request("DELETE", "http://127.0.0.1:9/im/v2.1/teams/1001?team_type=1&operator_id=acc_owner")

    def sign(auth: httpx.Auth, request: httpx.Request) -> Callable[[], object]:
        return lambda: next(auth.sync_auth_flow(request))

    return {
        "usersig: tls-sig-api-v2": lambda: official.gen_sig(IDENTIFIER, EXPIRE),
        "usersig: imgroup gen_usersig": lambda: gen_usersig(
            SECRET_KEY, IDENTIFIER, SDKAPPID, now=int(time.time()), expire=EXPIRE
        ),
        "usersig: imgroup, cached": cached.usersig,
        "signing a Tencent request (cached UserSig)": sign(cached, tencent_request),
        "checksum: hashlib one-liner": lambda: hashlib.sha1(
            (YUNXIN_SECRET + "nonce123" + str(int(time.time()))).encode()
        ).hexdigest(),
        "checksum: imgroup checksum": lambda: checksum(YUNXIN_SECRET, "nonce123", str(int(time.time()))),
        "signing a Yunxin request (new nonce, CheckSum)": sign(yunxin, yunxin_request),
    }


# Each contender's reference: the official package for UserSigs, a bare hashlib call for the CheckSum.
REFERENCES = {
    "usersig: imgroup gen_usersig": "usersig: tls-sig-api-v2",
    "usersig: imgroup, cached": "usersig: tls-sig-api-v2",
    "signing a Tencent request (cached UserSig)": "usersig: tls-sig-api-v2",
    "checksum: imgroup checksum": "checksum: hashlib one-liner",
    "signing a Yunxin request (new nonce, CheckSum)": "checksum: hashlib one-liner",
}


def run(quick: bool) -> list[Row]:
    rounds, seconds = (1, 0.001) if quick else (7, ROUND_SECONDS)
    contenders = _contenders()
    calls = {name: calls_for(operation, seconds) for name, operation in contenders.items()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, operation in contenders.items():
            samples[name].append(per_second(operation, calls[name]))
    summaries = {name: Summary.of(values) for name, values in samples.items()}
    rows = []
    for name, summary in summaries.items():
        reference = REFERENCES.get(name)
        versus = ratio(summary, summaries[reference]) if reference else None
        rows.append(Row(MEASUREMENT, name, "operations per CPU second", "1/s", summary, reference, versus))
    return rows


if __name__ == "__main__":
    raise SystemExit(main(run, __doc__ or ""))
