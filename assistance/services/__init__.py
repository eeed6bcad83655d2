"""Things that change hardship assistance, by subject (files, allowance, relief, scholarships)."""
