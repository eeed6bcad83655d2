"""Pages of the assistance app, in modules by subject."""
