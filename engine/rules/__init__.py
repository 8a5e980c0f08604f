"""The rules layer: when a shipment is risky, and why.

The rule model and its loader (:mod:`.ruleset`), the condition tree (:mod:`.conditions`), the
signals conditions reduce to (:mod:`.signals`) and the gates that skip rules a shipment cannot
trigger (:mod:`.gates`), scores and bands (:mod:`.scoring`), and rules' inline tests
(:mod:`.inline`).  It evaluates conditions on :mod:`engine.facts`.
"""
