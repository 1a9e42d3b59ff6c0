"""Expert records: each expert's history of sessions, rounds and opinions."""
