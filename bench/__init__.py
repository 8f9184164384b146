"""Benchmarks of imgroup's generated clients against the official SDKs and hand-written httpx.

``python -m bench`` runs every measurement, each in a fresh interpreter, prints one table and saves the
figures under ``bench/results/``. Each measurement also runs alone: ``python -m bench.import_cost`` and so on
(``--quick`` for tiny counts, ``--json`` for machine-readable rows).
"""
