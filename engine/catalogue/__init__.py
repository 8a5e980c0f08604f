"""The catalogue layer: who and what is risky, as data.

The entity catalogue (:mod:`.entities`), the readers of published sanctions lists (:mod:`.lists`),
the safe YAML loader every data file goes through (:mod:`.yamlio`) and where the bundled rules and
entities live (:mod:`.bundled`).  It imports nothing of the engine but :mod:`engine.errors`.
"""
