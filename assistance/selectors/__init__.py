"""Reads of the assistance app (scoped querysets, figures), in modules by subject."""
