"""Reads of the complaints app: ``subjects`` (what a new complaint names, from the visit
or lookup it came from), ``tracking`` (the household's status page), ``access`` (who
sees which complaints in the admin) and ``statistics`` (figures for the dashboards)."""
