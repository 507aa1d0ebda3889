"""Question exchange: the bank's questions in the formats trainers already use.

One module per format, each reading bytes into plain values and writing them
back, with its grammar in its docstring: ``gift`` (Moodle's GIFT text),
``moodle_xml`` (Moodle XML, images as base64), ``aiken`` (Aiken text, read
only) and ``qti`` (IMS/1EdTech QTI 2.1 content packages). ``base`` holds what
they share (the question as read, problems, text decoding, HTML to text,
and the review against the bank's rules in :mod:`exams.question_rules`).
``services`` and ``selectors`` are the import job's writes and the bank's
reads; ``views`` the admin screens.
"""
