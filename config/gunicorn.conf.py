"""gunicorn's settings for production (Procfile, docs/deployment.md):
`gunicorn -c config/gunicorn.conf.py config.wsgi`."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A bilan's PDF and a large list run in the worker; a request taking longer than this is a fault.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then, so that a slow leak never takes a process down.
max_requests = 2000
max_requests_jitter = 200
# The access log names the process and the path only: no query string (a search could carry a
# name), no referer, no client address (personal data, and the proxy's log has it anyway).
accesslog = "-"
access_log_format = '%(p)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# The proxy in front (nginx, Caddy, the PaaS router) is the only client allowed to say the request was HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's own lines and its access lines as JSON objects, like the application's (config/logging.py),
# unless DJANGO_LOG_FORMAT=text.
if os.environ.get("DJANGO_LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
        "handlers": {
            "json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "root": {"handlers": ["json"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {"handlers": ["json"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["json"], "level": "INFO", "propagate": False},
        },
    }
