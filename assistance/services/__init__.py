"""Every state change of the assistance app, in modules by subject (files, allowance, relief…)."""
