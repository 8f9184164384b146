"""Bulk jobs: one operation over many groups, concurrent, rate limited, journaled and resumable.

    imgroup bulk disband --vendor tencent --input groups.txt --report outcome.csv

The command group is ``imgroup.bulk.cli.bulk``; click and the vendor packages are imported only when it runs.
Here are the jobs (``_jobs``), what a job does to each item (``_runner``) and the command line; reading the
input, the journal, outcomes, progress and reports are the kernel bulk jobs share with plans, ``imgroup.jobs``.
"""
