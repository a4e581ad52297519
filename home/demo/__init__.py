"""The demo: two organisations, an agency and one person per role (``world``), then content, calendar,
budget and figures placed around the moment it is made. Only ``manage.py seed_demo`` and the tests use it;
everything goes through the real services, so timelines and the audit chain are genuine."""
