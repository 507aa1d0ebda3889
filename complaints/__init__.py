"""Household complaints (投诉): tracking numbers, district handling, outcomes into the credit record (#29)."""
