"""The worker's consent opens the full record to a household or an agency, and every view of a worker's data is logged for the worker to see (#26)."""
