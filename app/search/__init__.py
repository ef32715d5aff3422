"""The public search over published public events and the programme entries among them.

It sits above events and programmes (a top-level package like feeds) because its documents
are made of both: an event's title, text, place, organizer and tags, and for a programme entry
also its programme, category, district and the organizer's name as submitted. Keeping the
index in events and letting programmes add text through a signal would split one document's
making between two packages and need a signal for every write of a submission, campaign or
category; here one module (index.py) watches all of them.
"""
