"""The reading layer: what a cell says.

Names and their normalisation (:mod:`.names`), countries (:mod:`.countries`), HS codes
(:mod:`.hscodes`), red-flag phrases (:mod:`.phrases`), the shipment record and the row of cells it
is read from (:mod:`.record`), party matching against the catalogue's index (:mod:`.matching`) and
the bounded per-value caches they share (:mod:`.caches`).  It builds on the catalogue layer.
"""
