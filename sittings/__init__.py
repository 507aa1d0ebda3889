"""Supervised sittings at service stations (考点考试): stations, seats, exam tickets, kiosk mode, the proctor's view (#27)."""
