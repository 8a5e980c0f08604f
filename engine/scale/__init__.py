"""The scale layer: many rows at once.

Screening a file in worker processes (:mod:`.pool`), a pandas DataFrame (:mod:`.frames`), and on a
Dask cluster (:mod:`.cluster`).  Each takes a compiled Screener and the io layer's readers and
writers; the per-row screening is the Screener's, the same on every path.
"""
