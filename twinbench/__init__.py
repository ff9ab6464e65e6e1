"""twinbench: Inspect benchmarks for user simulation, deference, negotiation and speculative serving."""

__version__ = "0.1.0"
