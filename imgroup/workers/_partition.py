"""Which partition a step belongs to: the vendor, the app and the tenant whose credentials and limits it uses."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from imgroup.plans._plan import Plan, Step


@frozen(order=True)
class Partition:
    """A (vendor, app, tenant): ``app`` is "" where the plan names none, ``tenant`` "" where the app has none."""

    vendor: str
    app: str
    tenant: str = ""

    @property
    def lock(self) -> str:
        """The partition's name in the queue, unique within one plan's run."""
        return f"{self.vendor}/{self.app}/{self.tenant}"

    def __str__(self) -> str:
        parts = [self.vendor, f"app {self.app}" if self.app else "", f"tenant {self.tenant}" if self.tenant else ""]
        return " ".join(part for part in parts if part)


def partition_of(plan: Plan, step: Step) -> Partition:
    """The step's partition: its own app if it names one, else the app the plan was made on; and the tenant the
    step names (a Feishu store app's, in a plan across tenants), else the app's own, ""."""
    planned = (plan.header.get("apps") or {}).get(step.vendor)
    app = step.app if step.app is not None else ("" if planned is None else str(planned))
    return Partition(step.vendor, app, step.tenant or "")


def partitions_of(plan: Plan, steps: Iterable[Step] | None = None) -> dict[Partition, list[Step]]:
    """The plan's steps (or ``steps``) by partition, each in plan order."""
    by_partition: dict[Partition, list[Step]] = {}
    for step in plan.steps if steps is None else steps:
        by_partition.setdefault(partition_of(plan, step), []).append(step)
    return dict(sorted(by_partition.items()))
