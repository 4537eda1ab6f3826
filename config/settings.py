"""Django settings for Gloss, read from the environment.

Every variable is documented in README.md ("Configuration"). All runtime state
(database, secret key, search index, uploads, collected static files) lives
under ``GLOSS_DATA_DIR`` so one directory can be backed up or thrown away.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.environment import (
    BASE_DIR,
    data_dir,
    env_bool,
    env_list,
    private_file,
    secret_key,
)

DATA_DIR = data_dir(os.environ)
DEBUG = env_bool(os.environ, "DEBUG", default=False)
SECRET_KEY = secret_key(os.environ, DATA_DIR, debug=DEBUG)
ALLOWED_HOSTS = env_list(
    os.environ, "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list(os.environ, "CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Sign-in throttling (failed attempts per user name and address).
    "axes",
    "accounts",
    "corpus",
    "search",
    "annotations",
    "analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign-in everywhere; the current project; then a role in it
    # (accounts/roles.py) for every page.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.CurrentProjectMiddleware",
    "accounts.middleware.RoleRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a refused sign-in (too many failures) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.gloss",
            ],
        },
    },
]

# DATABASE_URL wins; otherwise SQLite inside the data directory.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'gloss.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several gunicorn workers (and the search drainer) write concurrently:
    # take the write lock when a transaction starts (a deferred transaction
    # that later upgrades fails at once with "database is locked"), wait for
    # it up to 20 s, and let readers proceed during writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
    private_file(Path(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes' backend first: it refuses a locked-out person before any
# password is checked; Django's own backend then signs people in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "search:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
# Created up front: WhiteNoise warns at start-up about a missing directory.
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Gloss's own settings.
GLOSS_DATA_DIR = DATA_DIR
GLOSS_INDEX_DIR = DATA_DIR / "index"
# Search: where themes per paragraph come from (a dotted path to a function of
# paragraph ids), and the processes and memory a full index rebuild may use.
GLOSS_SEARCH_THEME_SOURCE = "annotations.selectors.themes_by_paragraph"
# Per person: the themes a blind coding round's coder sees (search.blind).
GLOSS_SEARCH_THEME_VIEW = "annotations.rounds.search_theme_view"
GLOSS_SEARCH_TAG_THEMES = "annotations.selectors.active_themes"
# Who applies the index outbox. "process": one dedicated drainer process
# (gunicorn.conf.py starts and supervises it), so no request ever opens an
# index writer; a search waits for the changes made before it. "inline": the
# process that made a change applies it after commit, under the index lock
# (management commands, tests, a development server without the drainer).
GLOSS_SEARCH_DRAINER = os.environ.get("GLOSS_SEARCH_DRAINER", "inline")
if GLOSS_SEARCH_DRAINER not in {"inline", "process"}:
    raise ImproperlyConfigured("GLOSS_SEARCH_DRAINER must be 'inline' or 'process'.")
# The search engine: "whoosh" (an index directory on this host; the default)
# or "postgres" (full-text search in the PostgreSQL database, updated in the
# same transaction as each change, so several app hosts can share it).
GLOSS_SEARCH_BACKEND = os.environ.get("GLOSS_SEARCH_BACKEND", "whoosh")
if GLOSS_SEARCH_BACKEND not in {"whoosh", "postgres"}:
    raise ImproperlyConfigured("GLOSS_SEARCH_BACKEND must be 'whoosh' or 'postgres'.")
if GLOSS_SEARCH_BACKEND == "postgres" and not DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
):
    raise ImproperlyConfigured(
        "GLOSS_SEARCH_BACKEND=postgres searches inside PostgreSQL: set DATABASE_URL "
        "to a PostgreSQL database (postgres://user@host:5432/name), or use "
        "GLOSS_SEARCH_BACKEND=whoosh with SQLite."
    )
GLOSS_SEARCH_PROCS = int(
    os.environ.get("GLOSS_SEARCH_PROCS", min(2, os.cpu_count() or 1))
)
# Memory (MB) each rebuild process may hold before spilling postings to disk.
GLOSS_SEARCH_MEMORY_MB = int(os.environ.get("GLOSS_SEARCH_MEMORY_MB", "1024"))
# Seconds one search may spend collecting matches; past it, partial results
# with a notice (0: no budget).
GLOSS_SEARCH_TIME_BUDGET = float(os.environ.get("GLOSS_SEARCH_TIME_BUDGET", "3"))
# How many long queries (search.gate) may run at once, server-wide.
GLOSS_SEARCH_HEAVY_SLOTS = int(os.environ.get("GLOSS_SEARCH_HEAVY_SLOTS", "1"))
GLOSS_SOURCES_DIR = BASE_DIR / "corpus" / "sources"
# Prefix of Document.iri; stored per document at creation, so changing it later
# never changes the IRI of a document already ingested.
GLOSS_BASE_IRI = os.environ.get("GLOSS_BASE_IRI") or "urn:gloss:document:"
# Where people reach the site: the command-line export's links to a record
# start with it (the export page uses the address of its own request).
GLOSS_BASE_URL = os.environ.get("GLOSS_BASE_URL") or "http://localhost:8000"

# Background tasks (uploads): django-tasks with the database backend
# (django-tasks-db); `manage.py db_worker` runs them, and gunicorn.conf.py keeps
# one worker alive next to the web workers.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
# Uploads: the most bytes one file may have (50 MB), and how long a running
# ingest job may go without a heartbeat before it counts as interrupted (its
# worker died); the worker beats every third of that.
GLOSS_UPLOAD_MAX_BYTES = int(
    os.environ.get("GLOSS_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024))
)
GLOSS_INGEST_LEASE_SECONDS = float(os.environ.get("GLOSS_INGEST_LEASE_SECONDS", "30"))
# API tokens (manage.py apitoken) expire this many days after they are made.
GLOSS_API_TOKEN_DAYS = int(os.environ.get("GLOSS_API_TOKEN_DAYS", "90"))
if GLOSS_API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("GLOSS_API_TOKEN_DAYS must be at least 1.")
TAGGIT_CASE_INSENSITIVE = True

# Sign-in throttling (django-axes): 5 failed sign-ins for one user name from
# one address lock that pair out for 15 minutes (another person on the same
# network, or the same person elsewhere, can still sign in); a success
# forgets the failures. The lockout page answers 429. API tokens are not
# passwords (256 random bits) and are not throttled.
AXES_FAILURE_LIMIT = int(os.environ.get("GLOSS_SIGNIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(
    minutes=int(os.environ.get("GLOSS_SIGNIN_COOLOFF_MINUTES", "15"))
)
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME < timedelta(minutes=1):
    raise ImproperlyConfigured(
        "GLOSS_SIGNIN_FAILURES and GLOSS_SIGNIN_COOLOFF_MINUTES must be at least 1."
    )
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page (status 429): accounts.views.locked_out.
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Failed attempts are kept (for the lockout); successful sign-ins are not logged.
AXES_DISABLE_ACCESS_LOG = True
# The address is REMOTE_ADDR (django-ipware is not installed), never a
# client-supplied X-Forwarded-For that would let anyone dodge the limit; behind
# a proxy every client shares its address, so the limit is then per user name.

# Mail: invitations to new members. With EMAIL_HOST set, mail goes out by SMTP
# and the team page also emails the one-time sign-in link to a new member who
# has an address; without it, mail is printed to the log and the admin passes
# the link on themselves (it is always shown on the page).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool(os.environ, "EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gloss@localhost")
GLOSS_SEND_INVITES = env_bool(
    os.environ, "GLOSS_SEND_INVITES", default=bool(EMAIL_HOST)
)

# Web hardening. Pages load scripts and styles from our own static files only:
# no inline script (htmx's inline indicator styles are switched off in
# base.html); a theme colour is set as a style attribute, which cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
GLOSS_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
# Behind TLS (GLOSS_HTTPS=1): cookies only over HTTPS, HSTS, redirect to HTTPS.
# GLOSS_PROXY_SSL_HEADER names the header a TLS-terminating proxy sets
# (e.g. "X-Forwarded-Proto"); only set it when that proxy strips it from clients.
GLOSS_HTTPS = env_bool(os.environ, "GLOSS_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = GLOSS_HTTPS
SECURE_SSL_REDIRECT = GLOSS_HTTPS
SECURE_HSTS_SECONDS = (
    int(os.environ.get("GLOSS_HSTS_SECONDS", 31536000)) if GLOSS_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = GLOSS_HTTPS
# Joining the browsers' HSTS preload list is a decision for the domain's owner,
# not a default: GLOSS_HSTS_PRELOAD=1 sends the directive.
SECURE_HSTS_PRELOAD = env_bool(os.environ, "GLOSS_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if os.environ.get("GLOSS_PROXY_SSL_HEADER"):
    header = "HTTP_" + os.environ["GLOSS_PROXY_SSL_HEADER"].upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (header, "https")

# Errors go to stderr (gunicorn's log) in every mode, not only to mail_admins.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False}
    },
}
