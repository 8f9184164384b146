"""Plans: offboarding and sweeps as JSON Lines a person reviews, then applies exactly once.

    imgroup offboard tencent:alice --successor tencent:bob --plan alice.jsonl
    imgroup plan show alice.jsonl
    imgroup apply alice.jsonl --journal alice.journal --report alice.csv

The commands are in ``imgroup.plans.cli``; click and the vendor packages are imported only when they run.
"""
