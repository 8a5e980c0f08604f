"""The io layer: bytes and files.

The CSV reader (:mod:`.csvreader`, decoding with :mod:`engine.decoding`) and its header
(:mod:`.header`), the CSV, JSON Lines, HTML and Parquet writers (:mod:`.csvwriter`,
:mod:`.outputs`, :mod:`.parquet`), files written whole or not at all (:mod:`.atomic`), and what a
run saw with its manifest (:mod:`.manifest`).  It screens nothing itself: it reads rows for a
Screener and writes its results.
"""
