"""gunicorn settings for Gonghui (docs/operations.md): ``gunicorn gonghui.wsgi -c deploy/gunicorn.conf.py``.

Each value can be overridden on the command line or by ``GUNICORN_*`` environment variables below.
"""

import multiprocessing
import os

# nginx on the same host connects here; nothing else must reach the port.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: the pages are database-bound. 2 × cores + 1 is gunicorn's rule of thumb.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# A page answers in well under a second; exports stream. A worker stuck longer is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory growth of long-lived processes), not all at once.
max_requests = 2000
max_requests_jitter = 200
# Only nginx may say a request came over TLS (X-Forwarded-Proto) and from where.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The application writes one JSON line per request (core/logs.py); gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = "info"
# Header limits as nginx's defaults, so a request nginx passes, gunicorn accepts.
limit_request_line = 8190
limit_request_fields = 100
