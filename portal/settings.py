"""Settings for the Gandi Sites Portal: one module, every value from the environment.

With no environment at all the portal boots on SQLite under var/ and a private Redis
(the README's run command). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ENCRYPTION_KEYS and ALLOWED_HOSTS; the README lists every variable with its default.
"""

import base64
import hashlib
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))  # state of the run command

# --- Core ---
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only-key-do-not-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY")  # required: a missing key fails at boot

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sites_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "sites_app.services.session_limits.SessionLimitsMiddleware",
    "sites_app.services.account_security.TeamRequiresMFAMiddleware",
    "sites_app.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sites_app.middleware.FriendlyMethodNotAllowedMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "sites_app.context_processors.portal",
            ],
        },
    },
]

# --- Database ---
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write at once: WAL lets readers go on while one
    # writes, IMMEDIATE takes the write lock up front (no upgrade deadlocks), and the busy
    # timeout makes a writer wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
    }
    if env("SQLITE_TEST_NAME", default=""):
        # A file, not memory, so a real worker process can share the test database.
        DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_NAME")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Redis: broker, cache, shared rate limiter ---
# The run command starts a private Redis on port 6390; REDIS_URL, when set, wins.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6390/0")
# "default" treats Redis being down as a cache miss (portal/cache.py), so pages and submits
# keep working; "strict" raises, for code that must tell "missing" from "unavailable".
_CACHE_PREFIX = env("CACHE_KEY_PREFIX", default="portal")
CACHES = {
    "default": {
        "BACKEND": "portal.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": _CACHE_PREFIX,
    },
    "strict": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": _CACHE_PREFIX,
    },
}

# --- Celery ---
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="gandi")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=90)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# One visibility timeout for everything that waits in Redis: a delayed poll must never
# wait longer than this, or Redis would hand it out twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}  # filled in sites_app/beat.py, imported by portal/celery.py

# --- Accounts, MFA and sessions (django-allauth, django-axes; README "Accounts and security") ---
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)  # also told by the pages' meter
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},  # ASVS 2.1.1
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
ACCOUNT_ADAPTER = "sites_app.services.account_adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"  # people join by invitation (bound to an address)
ACCOUNT_CHANGE_EMAIL = True  # a new address replaces the old one only once its link is opened
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Gandi Sites Portal] "
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 1
ACCOUNT_EMAIL_NOTIFICATIONS = True  # mail the person when a factor or their address changes
# django-axes throttles sign-in (below); allauth's own sign-in limits would answer first with a
# different message and keep axes from counting. Its other limits (reauthentication, email
# management, confirmation mails) stay.
ACCOUNT_RATE_LIMITS = {"login": False, "login_failed": False}
# Sensitive actions (Gandi keys, roles, deleting a site, MFA changes) ask for the password or
# a second factor again when the last authentication is older than this.
REAUTHENTICATION_MINUTES = env.int("REAUTHENTICATION_MINUTES", default=10)
ACCOUNT_REAUTHENTICATION_TIMEOUT = REAUTHENTICATION_MINUTES * 60
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False  # security keys as a second factor; passwordless later
ACCOUNT_SESSION_REMEMBER = False  # no "remember me": the session cookie ends with the browser
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Gandi Sites Portal")
MFA_FORMS = {  # a code is spent once; one used again is refused, audited and mailed
    "activate_totp": "sites_app.forms.mfa.ActivateTOTPOnceForm",
    "authenticate": "sites_app.forms.mfa.AuthenticateNoticingReuseForm",
    "reauthenticate": "sites_app.forms.mfa.ReauthenticateNoticingReuseForm",
}
# WebAuthn needs a secure context; Chromium counts http://localhost and 127.0.0.1 as one.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=DEBUG)
# Sessions (ASVS 3.3): an absolute lifetime and an idle timeout, both enforced server-side.
SESSION_ABSOLUTE_HOURS = env.float("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_IDLE_MINUTES = env.float("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_HOURS * 3600)
SESSION_COOKIE_SAMESITE = "Lax"
# Sign-in throttling (django-axes), counted over AXES_COOLOFF_MINUTES: per (user name,
# address) pair, per account from any address, and per address over any user names.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)  # the pair
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=100)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "sites_app.services.login_throttle.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True  # only the pair's count: see PortalAxesHandler
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Rate limits (django-ratelimit, on the Redis cache): "count/period" as django-ratelimit reads it.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_PASSWORD_RESET_PER_ADDRESS = env("RATELIMIT_PASSWORD_RESET_PER_ADDRESS", default="10/h")
RATELIMIT_PASSWORD_RESET_PER_EMAIL = env("RATELIMIT_PASSWORD_RESET_PER_EMAIL", default="3/h")
RATELIMIT_SIGNUP_PER_ADDRESS = env("RATELIMIT_SIGNUP_PER_ADDRESS", default="10/h")
RATELIMIT_PASSWORD_CHECK_PER_USER = env("RATELIMIT_PASSWORD_CHECK_PER_USER", default="10/h")
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: none, the header
# is ignored). The audit log and axes' username+IP lockout both read the address from it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "sites_app.audit.client_ip"
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)

# --- Email ---
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The console backend prints every mail (reset and invitation links included) into the
# server's log: in production only when asked for by name.
EMAIL_ALLOW_CONSOLE = env.bool("EMAIL_ALLOW_CONSOLE", default=DEBUG)
if EMAIL_CONFIG["EMAIL_BACKEND"].endswith("console.EmailBackend") and not EMAIL_ALLOW_CONSOLE:
    raise ImproperlyConfigured(
        "EMAIL_URL is consolemail:// with DEBUG=False: password reset and invitation links "
        "would be printed into the server log. Set EMAIL_URL to your SMTP server "
        "(smtp+tls://user:pass@host:587), or EMAIL_ALLOW_CONSOLE=True to accept that."
    )
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@localhost")

# --- Secrets at rest ---
# Fernet keys (comma separated), newest first: the first encrypts, all decrypt.
# `manage.py rotate_gandi_keys` re-encrypts stored keys with the first one after a rotation.
if DEBUG:
    _dev_key = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[_dev_key])
else:
    ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS")

# --- Gandi ---
GANDI_PRODUCTION_URL = "https://rpc.gandi.net/xmlrpc/"
GANDI_OTE_URL = "https://rpc.ote.gandi.net/xmlrpc/"
GANDI_SIMULATOR_URL = env("GANDI_SIMULATOR_URL", default="http://127.0.0.1:8780/xmlrpc/")
# CA certificates (a PEM file) trusted for HTTPS endpoints instead of the system's; empty =
# the system's CAs. For a private endpoint or a test CA; Gandi itself needs none.
GANDI_CA_BUNDLE = env("GANDI_CA_BUNDLE", default="")
GANDI_TIMEOUT = env.float("GANDI_TIMEOUT", default=20)  # seconds, every call from a worker
# After a call's answer is lost, how long Gandi may still act on it; nothing at Gandi after
# that proves it did nothing, and the request is sent again (sites_app/services/recovery.py).
GANDI_LATE_ACT_SECONDS = env.float("GANDI_LATE_ACT_SECONDS", default=10)
GANDI_VIEW_TIMEOUT = env.float("GANDI_VIEW_TIMEOUT", default=5)  # reads made inside a request
GANDI_RATE_LIMIT_CALLS = env.int("GANDI_RATE_LIMIT_CALLS", default=30)
GANDI_RATE_LIMIT_PERIOD = env.float("GANDI_RATE_LIMIT_PERIOD", default=2.0)
# The portal stays this share below Gandi's figure (jitter between our clock and Gandi's), and
# background work (sync details, rolling refresh) uses at most GANDI_BACKGROUND_SHARE of that.
GANDI_RATE_LIMIT_MARGIN = env.float("GANDI_RATE_LIMIT_MARGIN", default=0.9)
GANDI_BACKGROUND_SHARE = env.float("GANDI_BACKGROUND_SHARE", default=0.5)
# Sync: each task reads pages for about this long, then chains the next; every site's
# site.info is re-read in the background at least this often.
SYNC_TASK_SECONDS = env.float("SYNC_TASK_SECONDS", default=15)
SITE_DETAILS_REFRESH_HOURS = env.float("SITE_DETAILS_REFRESH_HOURS", default=24)
# TXT ownership checks: "host" or "host:port" name servers; empty = the system resolver.
DNS_RESOLVERS = env.list("DNS_RESOLVERS", default=[])
DNS_TIMEOUT = env.float("DNS_TIMEOUT", default=3)

# --- Notifications and webhooks (README "Notifications and webhooks") ---
# The portal's own address, for the links in emails and webhook payloads.
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
# Webhook URLs resolving to private, loopback or link-local addresses are refused unless this
# is set (tests set it to reach a receiver on loopback); checked again at every delivery.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5)  # seconds, connect and read each
WEBHOOK_RETRY_HOURS = env.float("WEBHOOK_RETRY_HOURS", default=24)  # then a delivery gives up
WEBHOOK_CA_BUNDLE = env("WEBHOOK_CA_BUNDLE", default="")  # a PEM file; empty = the system's CAs

# --- Internationalisation ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
_manifest = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _manifest
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _manifest
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security (on unless HTTPS=False, which only the local run and the tests set) ---
HTTPS = env.bool("HTTPS", default=not DEBUG)
if TRUSTED_PROXY_COUNT > 0:
    # Only a proxy we know of may say the request came over HTTPS; with none in front,
    # anyone could send the header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Over HTTPS the cookies carry the __Host- prefix: the browser keeps them only when they are
# Secure, for "/" and without a Domain, so no sibling sub-domain can set or overwrite them.
# (Over plain HTTP a browser would refuse such cookies: the local run keeps the plain names.)
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Security headers: Content-Security-Policy (django-csp), Permissions-Policy ---
# Every script and style is a static file of ours: no inline code, no nonce needed. htmx's
# indicator style is turned off by a meta tag in base.html (it would be an inline <style>).
# `data:` images are Bootstrap's SVG icons (select arrows, the menu button). form-action is
# left out on purpose: the editor button posts to us and we redirect to Gandi's editor.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    },
}
# Powerful browser features the portal never uses, off for it and anything it could embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# --- REST API (Django REST framework, drf-spectacular; README "REST API") ---
# Resource views take only `Authorization: Bearer gsp_...` tokens; the schema and its docs
# pages also take the session (CSRF enforced by DRF's SessionAuthentication).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sites_app.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sites_app.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gandi Sites Portal API",
    "DESCRIPTION": "Sites, operations, Gandi accounts, members and audit events of one team. "
    "Changes are asynchronous: they answer 202 with the operation to follow.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
API_TOKEN_TOUCH_SECONDS = 60  # last-used time and address are written at most this often

# --- Logging: everything to stdout, one line per event ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        # Reset and invitation tokens never reach a log; a refused request is one line.
        "redact_secret_links": {"()": "sites_app.log_filters.RedactSecretLinks"},
        "one_line_forbidden": {"()": "sites_app.log_filters.OneLineForbidden"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secret_links", "one_line_forbidden"],
        }
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
