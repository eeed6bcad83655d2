"""The assistance pages, by subject (files, allowance, relief and scholarships)."""
