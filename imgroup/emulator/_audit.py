"""The audit log: every vendor call the emulator answered, oldest first, with a monotonic sequence number."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any


class AuditLog:
    """Append-only call records, plus the rate-limit refusals counted per vendor and operation."""

    def __init__(self) -> None:
        self._records: list[dict[str, Any]] = []
        self.rate_limited: Counter[tuple[str, str]] = Counter()

    def record(
        self,
        *,
        vendor: str,
        operation: str,
        app: str | None,
        target: str | None,
        code: int | None,
        http_status: int | None,
        effect: str | None = None,
        fault: str | None = None,
    ) -> None:
        self._records.append(
            {
                "seq": len(self._records) + 1,
                "time": time.time(),
                "vendor": vendor,
                "operation": operation,
                "app": app,
                "target": target,
                "code": code,
                "http_status": http_status,
                "effect": effect,
                "fault": fault,
            }
        )

    def since(self, seq: int = 0) -> list[dict[str, Any]]:
        """The records after sequence number ``seq``, oldest first."""
        return self._records[max(seq, 0) :]

    def __len__(self) -> int:
        return len(self._records)
