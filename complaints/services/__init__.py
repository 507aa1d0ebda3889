"""Writes of the complaints app: ``filing`` (a household files a complaint, with its
tracking number and photos), ``handling`` (regulators move it through its statuses,
the agency answers, an upheld complaint goes into the credit record) and
``messages`` (the SMS a household receives)."""
