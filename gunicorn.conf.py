"""gunicorn settings for ``make run``: loopback only, a few sync workers.

Override with GLOSS_BIND (e.g. 0.0.0.0:8000 behind a proxy) and WEB_CONCURRENCY.
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GLOSS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
accesslog = "-"
errorlog = "-"
