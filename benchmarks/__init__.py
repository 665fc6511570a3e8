"""What the client costs, measured beside the alternatives: ``nox -s bench`` (``python -m benchmarks``).

Not part of the test suite. Each benchmark runs its alternatives interleaved (A, B, C, A, B, C,
...) in one run and reports medians and ratios; ``report`` writes ``benchmarks/results.md`` and
``benchmarks/results.json`` and the README's Benchmarks section.
"""
