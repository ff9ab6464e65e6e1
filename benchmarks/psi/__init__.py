"""PSI: patient-simulator diagnostics in the style of PSI-Bench (Hoang, Mehri, …, Hakkani-Tür, 2026).

This package holds, so far, the real reference data (:mod:`benchmarks.psi.data`, built by
:mod:`benchmarks.psi.build_data`) and the diagnostics library (:mod:`benchmarks.psi.diagnostics`). The Inspect task
and its registry entry come later; see ``benchmarks/psi/README.md``.
"""
