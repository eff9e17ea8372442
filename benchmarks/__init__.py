"""ftwatch's benchmark suite (issue 6): `python -m benchmarks.run [--quick] [--json PATH]`.

Each `bench_*.py` module measures one row of the budget table against a baseline measured in the same run on
the same machine, and returns `report.Row`s; `run.py` runs them all, prints the table and writes the JSON.
"""
