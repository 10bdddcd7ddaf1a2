"""Outcome and practice reports for supervisors and admins.

Every report takes the same `Scope` (programs the user supervises, narrowed by program, worker,
model, case status and a date range) and returns a `Table`: the figures a chart draws are the rows
the page lists beside it and the CSV export writes, so the three can never disagree.
"""
