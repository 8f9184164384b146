"""``python -m imgroup.bulk disband ...``: the bulk commands without the rest of the command line."""

from .cli import bulk

bulk(prog_name="imgroup bulk")
