"""Backup and restore of the database and uploaded files (``flask backup …``)."""
