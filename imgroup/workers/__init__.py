"""Applying a plan on workers: its steps in PostgreSQL, one job per partition on procrastinate.

    imgroup apply alice.jsonl --queue postgresql://db/imgroup --wait --report alice.csv
    imgroup worker --queue postgresql://db/imgroup --concurrency 4      # on as many machines as wanted

A partition is a (vendor, app, tenant): the steps one set of credentials carries out under one rate limiter.
Each partition is one procrastinate job, locked by its name, so it runs on one worker at a time and its limiter
stays local and exact; a PostgreSQL advisory lock held for as long as the job runs fences it besides. A worker
process runs each of its partitions on a thread of its own, in an event loop of its own. Each step
is carried out as the local apply does (``imgroup.plans``: re-read, re-check, act), and journaled in PostgreSQL:
the step's state and its partition's progress in one transaction. A worker killed mid-step leaves its job
``doing`` under a worker whose heartbeat stops; another worker retries the job once that heartbeat is
``--stalled-after`` old (10 s) and the partition's advisory lock is free (``_queue``), and the interrupted step is
re-checked like any step caught in flight.

The commands are in ``imgroup.workers.cli``; procrastinate and psycopg (the ``[workers]`` extra) are imported only
when they run.
"""
