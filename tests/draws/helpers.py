from datetime import date

EVENT_DAY = date(2026, 3, 1)  # the event date of the draw tests' requests
