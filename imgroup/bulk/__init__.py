"""Bulk jobs: one operation over many groups, concurrent, rate limited, journaled and resumable.

    imgroup bulk disband --vendor tencent --input groups.txt --report outcome.csv

The command group is ``imgroup.bulk.cli.bulk``; click and the vendor packages are imported only when it runs.
"""
