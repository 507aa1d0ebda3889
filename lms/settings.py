"""Settings for the platform, read from the environment only.

Every value comes from an environment variable documented in `.env.example`.
Without `DATABASE_URL` the site runs on SQLite; without `REDIS_URL` it uses the
local-memory cache and runs Celery tasks eagerly in process, so `make run`
works on a bare machine. See docs/deployment.md for production.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    # Only the embedded demo may run without a secret; production must set one.
    default="insecure-dev-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz" if DEBUG else "",
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for the demo).")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The public origin printed into QR codes and e-mails, e.g. https://jz.example.gov.cn
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Project apps, lowest first: lms <- registry <- courses <- exams <- certificates <- cms/dashboards
    # (sittings build on exams; complaints and consent on registry and certificates;
    # partners read and write every app)
    "lms",
    "lms.accounts",
    "registry",
    "courses",
    "exams",
    "sittings",
    "certificates",
    "complaints",
    "consent",
    "cms",
    "dashboards",
    "partners",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Third party
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "oauth2_provider",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The final Cache-Control of every answer (public at the edge only when it is
    # everyone's); before the session, locale and CSRF middleware, to see their cookies.
    "lms.edge.EdgeCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lms.accounts.middleware.StaffSecondFactorMiddleware",
    # A station's kiosk session reaches the worker's exam only (sittings/middleware.py).
    "sittings.middleware.KioskSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Control characters in a path, query or form field are a 400, not a database error.
    "lms.control_chars.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the admin's own policy (CONTENT_SECURITY_POLICY_ADMIN).
    "lms.csp.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns django-ratelimit's Ratelimited into RATELIMIT_VIEW's 429.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, so that it sees failed logins after authentication has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT off (it compiled dashboard queries for 50-150 ms to run them in
        # 5-50 ms) and SSD page costs (so the planner probes indexes for one
        # agency's workers instead of scanning the city's rows); docs/decisions.md.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = env.str(
            "DATABASE_PG_OPTIONS", default="-c jit=off -c random_page_cost=1.1"
        )
else:
    # SQLite tuned for several writers (runserver threads, eager tasks):
    # WAL lets readers proceed during a write, busy_timeout waits instead of
    # failing, and IMMEDIATE transactions take the write lock up front so two
    # writers never deadlock upgrading a read lock ("database is locked").
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3"))),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
# Lets parallel test runs (or several developers on one server) use distinct test databases.
if env.str("DATABASE_TEST_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("DATABASE_TEST_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")


def _redis_db(url: str, db: int) -> str:
    """The same Redis server as `url`, on database number `db`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


if REDIS_URL:
    # Cache and broker live in separate Redis databases so that flushing the
    # cache never drops queued tasks.
    # The broker uses the database named in REDIS_URL (or REDIS_BROKER_DB), the
    # cache the next one (or REDIS_CACHE_DB).
    _url_db = int(urlsplit(REDIS_URL).path.strip("/") or 0)
    _broker_db = env.int("REDIS_BROKER_DB", default=_url_db)
    REDIS_CACHE_URL = _redis_db(REDIS_URL, env.int("REDIS_CACHE_DB", default=_broker_db + 1))
    CELERY_BROKER_URL = _redis_db(REDIS_URL, _broker_db)
    CACHES = {
        "default": {
            "BACKEND": "lms.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            # Distinct per deployment (or test worker) sharing one Redis server.
            "KEY_PREFIX": env.str("REDIS_CACHE_KEY_PREFIX", default="lms"),
            "TIMEOUT": 300,
            # The cache fails soft (lms/cache.py): without Redis a read is a miss and a
            # write is skipped. Short timeouts keep an unreachable server from holding
            # a request; after a failure Redis is left alone for OUTAGE_PAUSE seconds.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
            "OUTAGE_PAUSE": env.float("REDIS_CACHE_OUTAGE_PAUSE", default=5),
        }
    }
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    # No broker: run every task in process, as soon as it is sent.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
# Tasks are written to be idempotent, so they acknowledge after running: a
# worker killed mid-task leaves the message for another worker to redo.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    # An unreachable broker is an error within seconds, not a hung request or worker.
    "socket_connect_timeout": 5,
    "socket_keepalive": True,
}
# The worker survives a Redis outage of any length: it reconnects for ever (Celery's
# default gives up after 100 tries and exits), and cancels the tasks it was running
# when the connection went, which are idempotent and sent again (their messages come
# back after the visibility timeout, their work through the reconcilers).
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-max-retries
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Periodic tasks; each app adds its own entries in its AppConfig.ready().
CELERY_BEAT_SCHEDULE: dict = {
    # The worker's heartbeat, read by /health/ (lms/heartbeat.py).
    "lms-worker-heartbeat": {
        "task": "lms.tasks.worker_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "lms-sessions-clear": {"task": "lms.tasks.sessions_clear", "schedule": 24 * 60 * 60.0},
}
# /health/ reports "degraded" when the worker's last heartbeat is older than this (seconds).
HEALTH_HEARTBEAT_MAX_AGE = env.int("HEALTH_HEARTBEAT_MAX_AGE", default=300)

# --- Authentication -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Sessions live in the database only, the source of truth: a Redis outage signs
# no one out, and every gunicorn worker sees the same sessions with or without
# Redis (cached_db on a per-process cache lost them between workers). Not signed
# cookies: a signed-out or stolen session must be revocable on the server, and
# the verified second factor is kept in the session. Expired rows are removed
# daily by the beat (lms.tasks.sessions_clear).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so locked-out credentials never reach the others.
    "axes.backends.AxesStandaloneBackend",
    "lms.accounts.backends.PhoneOrUsernameBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Reverse proxies in front of gunicorn that append to X-Forwarded-For: the
# client is the entry this many from the right (lms/client.py), for login
# throttling, rate limits and recorded addresses alike. AXES_PROXY_COUNT is
# the older name, still read.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))

# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# The pair of account and client is locked, never either alone: behind a shared
# address (a carrier's NAT, the proxy itself) a lock on the address would lock
# everyone, and a lock on the account would let anyone lock a worker out.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "lms.client.client_address"
AXES_VERBOSE = False

# django-otp: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="上海家政平台")
# Paths a staff member must pass the second factor for (besides /admin/).
STAFF_PATH_PREFIXES = [
    "/admin/",
    "/django-admin/",
    "/staff/",
    "/agency/",
    "/review/",
    "/regulator/",
]

# --- Encryption of personal data ------------------------------------------------
# Fernet keys, newest first; old keys still decrypt (MultiFernet rotation).
# See docs/privacy.md. The demo default is derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Key for the keyed hash (HMAC-SHA256) used to look ID numbers up by equality.
PII_HASH_KEY = env.str("PII_HASH_KEY", default="")
# Ed25519 keys that sign verifiable certificates (certificates/credentials.py), newest
# (the signing one) first, as key-id=<private key encrypted with FIELD_ENCRYPTION_KEYS>;
# a retired key stays published as key-id=<its public z6Mk… key>. `manage.py
# certificates_vc_keygen` makes one (docs/deployment.md). Unset with DJANGO_DEBUG=1:
# a demo key derived from DJANGO_SECRET_KEY.
VC_SIGNING_KEYS = env.list("VC_SIGNING_KEYS", default=[])

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# locale/wagtail: hand-written zh-hans for the Wagtail admin messages Wagtail's own catalog
# lacks ("Search all pages…", "Insert a block"). Second, so makemessages never writes there.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "wagtail"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names (cache forever) in production; plain files for the demo.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "上海家政服务培训与认证平台"
WAGTAILADMIN_BASE_URL = SITE_URL
# Lesson videos are uploaded as documents (mp4/webm/m4v), hence the larger limit; their
# subtitles too (WebVTT, .vtt: courses/blocks.py checks the file really is one).
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "m4v",
    "mp4",
    "odt",
    "pdf",
    "pptx",
    "rtf",
    "txt",
    "vtt",
    "webm",
    "xlsx",
    "zip",
]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("WAGTAILDOCS_MAX_UPLOAD_MB", default=200) * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "jpeg", "webp": "webp", "png": "png"}

# Wagtail's frontend cache purges the edge (Varnish, or a CDN through an HTTP purge
# endpoint): FRONTEND_CACHE_URLS, comma-separated, e.g. http://127.0.0.1:6081. Empty
# (the embedded default): nothing to purge. See lms/edge.py and docs/deployment.md.
WAGTAILFRONTENDCACHE = {
    f"edge{number}": {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": location,
    }
    for number, location in enumerate(env.list("FRONTEND_CACHE_URLS", default=[]))
}

# --- Mail and SMS -------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@jiazheng.example.cn")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# Dotted path of the SMS backend: lms.notifications.ConsoleSMSBackend prints each SMS to
# the log (the terminal under `make run`); lms.sms.AliyunSMSBackend sends through
# Alibaba Cloud SMS (docs/deployment.md, "SMS provider").
SMS_BACKEND = env.str("SMS_BACKEND", default="lms.notifications.ConsoleSMSBackend")
# https://help.aliyun.com/document_detail/101414.html (SendSms) — a RAM user's access
# key allowed AliyunDysmsFullAccess or SendSms only, the approved sign name (签名), and
# our template keys mapped to approved template codes: "login_code=SMS_123456,…".
ALIYUN_SMS_ACCESS_KEY_ID = env.str("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
ALIYUN_SMS_SIGN_NAME = env.str("ALIYUN_SMS_SIGN_NAME", default="")
ALIYUN_SMS_TEMPLATES = env.dict("ALIYUN_SMS_TEMPLATES", default={})
ALIYUN_SMS_ENDPOINT = env.str("ALIYUN_SMS_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
# Seconds to wait for one answer; tries in all when throttled, first pause (doubling).
ALIYUN_SMS_TIMEOUT = env.float("ALIYUN_SMS_TIMEOUT", default=5.0)
ALIYUN_SMS_MAX_ATTEMPTS = env.int("ALIYUN_SMS_MAX_ATTEMPTS", default=3)
ALIYUN_SMS_RETRY_BACKOFF = env.float("ALIYUN_SMS_RETRY_BACKOFF", default=0.5)
# The voice-call alternative to an SMS code (收不到短信？语音电话, #28): dotted path of the
# backend, or "" where the provider offers none (the option is then not shown).
# lms.notifications.ConsoleVoiceBackend logs the call; lms.sms.AliyunVoiceBackend calls
# through Alibaba Cloud's voice service (SingleCallByTts) with an approved TTS template
# per key ("login_code=TTS_123456,change_phone_code=TTS_123457"); the access key is the
# SMS one unless its own is given; a blank show number uses the provider's shared numbers.
VOICE_BACKEND = env.str("VOICE_BACKEND", default="lms.notifications.ConsoleVoiceBackend")
ALIYUN_VOICE_ACCESS_KEY_ID = env.str("ALIYUN_VOICE_ACCESS_KEY_ID", default=ALIYUN_SMS_ACCESS_KEY_ID)
ALIYUN_VOICE_ACCESS_KEY_SECRET = env.str(
    "ALIYUN_VOICE_ACCESS_KEY_SECRET", default=ALIYUN_SMS_ACCESS_KEY_SECRET
)
ALIYUN_VOICE_TTS_TEMPLATES = env.dict("ALIYUN_VOICE_TTS_TEMPLATES", default={})
ALIYUN_VOICE_SHOW_NUMBER = env.str("ALIYUN_VOICE_SHOW_NUMBER", default="")
ALIYUN_VOICE_ENDPOINT = env.str("ALIYUN_VOICE_ENDPOINT", default="https://dyvmsapi.aliyuncs.com/")

# --- Sign-in by SMS code (验证码登录) ----------------------------------------------
# A code lives this long, and dies after this many wrong guesses.
SMS_CODE_TTL_SECONDS = env.int("SMS_CODE_TTL_SECONDS", default=300)
SMS_CODE_MAX_ATTEMPTS = env.int("SMS_CODE_MAX_ATTEMPTS", default=5)
# Codes sent at most "count/seconds", comma-separated: per mobile number, and per client address.
SMS_CODE_LIMITS_PER_PHONE = env.str("SMS_CODE_LIMITS_PER_PHONE", default="1/60,5/3600,10/86400")
SMS_CODE_LIMITS_PER_CLIENT = env.str("SMS_CODE_LIMITS_PER_CLIENT", default="3/60,20/3600,50/86400")
# Voice calls have limits of their own, tighter than the provider's (1/min, 5/h, 20/day
# per number): a call rings a phone, and costs more than an SMS.
VOICE_CODE_LIMITS_PER_PHONE = env.str("VOICE_CODE_LIMITS_PER_PHONE", default="1/120,3/3600,5/86400")
VOICE_CODE_LIMITS_PER_CLIENT = env.str(
    "VOICE_CODE_LIMITS_PER_CLIENT", default="2/120,6/3600,20/86400"
)
# Who a verified mobile number is. The registry owns workers, so it answers;
# lms.accounts only checks codes (a lower app calls a higher one by name).
PHONE_LOGIN_FIND = "registry.services.signin.worker_login_for_phone"
PHONE_LOGIN_PENDING = "registry.services.signin.worker_activation_pending"
PHONE_LOGIN_ACTIVATE = "registry.services.signin.worker_login_activate"

# --- Rate limits (django-ratelimit) -------------------------------------------
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "lms.views.ratelimited"
# A counter that expires between django-ratelimit's add and incr counts as the first,
# not as over the limit (lms/ratelimit.py also fails open when the cache is down).
RATELIMIT_FAIL_OPEN = True
# Public lookups, and site searches, allowed per client and minute.
PUBLIC_LOOKUP_RATE = env.str("PUBLIC_LOOKUP_RATE", default="30/m")
PUBLIC_SEARCH_RATE = env.str("PUBLIC_SEARCH_RATE", default="60/m")

# --- Security -----------------------------------------------------------------
# TLS ends at the reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's live preview shows the page in a same-origin iframe, so SAMEORIGIN
# rather than DENY; other sites still cannot frame any page.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# https://django-csp.readthedocs.io/ — only our own scripts and styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "media-src": ["'self'"],
        "frame-src": ["'self'", "https://player.bilibili.com", "https://v.qq.com"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
    },
}
# The Wagtail admin and the API docs (lms/csp.py). Wagtail's page explorer and
# edit views run inline <script> blocks that differ per form (no stable hash),
# so scripts may be inline there, but only from this site; styles stay our own
# files; the admin shows blob: and data: images (uploads before saving, icons).
# tests/e2e/test_admin_csp.py checks that Chromium refuses nothing there.
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ["/admin/", "/api/v1/docs"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "media-src": ["'self'", "blob:"],
    "frame-src": ["'self'", "https://player.bilibili.com", "https://v.qq.com"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# JSON API routers (prefix, "app.module.router"), mounted under /api/v1/.
API_ROUTERS = [
    ("/", "certificates.api.router"),
    ("/exam/", "exams.api.router"),
    ("/partner/", "partners.api.router"),
    ("/partner/", "partners.api_writes.router"),
    ("/partner/webhooks/", "partners.api_webhooks.router"),
    ("/", "partners.api_changes.router"),
    ("/", "partners.api_snapshot.router"),
]
WORKER_HOME_URL = "/me/"

# OAuth 2.0 for partner systems (#24, django-oauth-toolkit). Partners use the client
# credentials grant only; every RFC 9700 (OAuth 2.0 Security BCP) behaviour is adopted
# now rather than when the library's defaults change in 4.0. Partner work extends this.
# https://django-oauth-toolkit.readthedocs.io/en/latest/settings.html
# One DOT application per client secret (partners.models.PartnerCredential), so two
# secrets live side by side during a rotation; a token lives PARTNER_TOKEN_SECONDS and
# never carries more than its partner's scopes (partners/oauth.py).
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("PARTNER_TOKEN_SECONDS", default=600),
    "SCOPES_BACKEND_CLASS": "partners.oauth.PartnerScopes",
    "OAUTH2_VALIDATOR_CLASS": "partners.oauth.PartnerOAuth2Validator",
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# The library's default models, named where Django's migration autodetector looks for a
# swappable model when a partner model points at them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 -- a model name
# Change events (the outbox, lms/outbox.py) are kept this many days; a feed cursor older
# than that is answered 410 and the partner syncs again from a snapshot.
CHANGE_EVENTS_RETENTION_DAYS = env.int("CHANGE_EVENTS_RETENTION_DAYS", default=400)
# The call log of the partner API (partners.PartnerCall) is kept this many days (one year
# beyond the audit year, then removed by the beat).
PARTNER_CALLS_RETENTION_DAYS = env.int("PARTNER_CALLS_RETENTION_DAYS", default=730)
# A write's first answer is replayed for a retry with the same Idempotency-Key this long.
PARTNER_IDEMPOTENCY_DAYS = env.int("PARTNER_IDEMPOTENCY_DAYS", default=7)
# A retry arriving while the first request with its key is still running waits this many
# seconds for it (PostgreSQL lock_timeout), then is answered 409 idempotency-key-in-use.
PARTNER_IDEMPOTENCY_WAIT_SECONDS = env.float("PARTNER_IDEMPOTENCY_WAIT_SECONDS", default=10)
# Webhook URLs must be public HTTPS addresses; True lets them point at private and loopback
# addresses (the tests' and benchmarks' local receiver; a partner inside the government
# network). Never in production unless the partners' endpoints are on a private network.
PARTNER_WEBHOOKS_ALLOW_PRIVATE = env.bool("PARTNER_WEBHOOKS_ALLOW_PRIVATE", default=False)

# --- App tuning (each app reads these with its own default) ---------------------
# HTTP caching at the edge (lms/edge.py, deploy/varnish/default.vcl): anonymous portal
# pages are public for browsers for CACHE_MAX_AGE seconds and for the shared cache
# (Varnish, a CDN) for CACHE_S_MAXAGE, and are purged there on every change. Verify
# answers (/v/<token>/, /api/v1/verify/<token>) stay at most VERIFY_S_MAXAGE (≤ 60 s)
# at the edge and are purged after every change to what they show; browsers revalidate.
CACHE_MAX_AGE = env.int("CACHE_MAX_AGE", default=60)
CACHE_S_MAXAGE = env.int("CACHE_S_MAXAGE", default=600)
VERIFY_S_MAXAGE = min(env.int("VERIFY_S_MAXAGE", default=60), 60)
# Rosters with more rows than this are imported in Celery with a progress page.
REGISTRY_ROSTER_SYNC_MAX_ROWS = env.int("REGISTRY_ROSTER_SYNC_MAX_ROWS", default=200)
# Path of a TrueType CJK font for certificate PDFs (default: WenQuanYi Micro Hei if installed).
if env.str("CERTIFICATES_FONT_PATH", default=""):
    CERTIFICATES_FONT_PATH = env.str("CERTIFICATES_FONT_PATH")
# Seconds after an exam's deadline that in-flight answer saves are still accepted.
EXAMS_SAVE_GRACE_SECONDS = env.int("EXAMS_SAVE_GRACE_SECONDS", default=30)
# How often (seconds) the beat task finalises overdue attempts.
EXAMS_SWEEP_SECONDS = env.int("EXAMS_SWEEP_SECONDS", default=60)
# Agency report exports larger than this run in Celery and offer a download.
DASHBOARDS_EXPORT_SYNC_MAX_ROWS = env.int("DASHBOARDS_EXPORT_SYNC_MAX_ROWS", default=5000)
# Regulators' live statistics: served from the cache while younger than this,
# recomputed in the background after, never served older than the max age.
DASHBOARDS_LIVE_SECONDS = env.int("DASHBOARDS_LIVE_SECONDS", default=300)
DASHBOARDS_LIVE_MAX_AGE = env.int("DASHBOARDS_LIVE_MAX_AGE", default=3600)
# Household trust: the live door code's lifetime, the time to confirm entry
# after opening it, and the days a one-time rating link stays usable.
CERTIFICATES_LIVE_CODE_SECONDS = env.int("CERTIFICATES_LIVE_CODE_SECONDS", default=60)
CERTIFICATES_LIVE_CONFIRM_SECONDS = env.int("CERTIFICATES_LIVE_CONFIRM_SECONDS", default=1800)
REGISTRY_RATING_LINK_DAYS = env.int("REGISTRY_RATING_LINK_DAYS", default=30)
# Complaints (#29): deadlines in the city's working days (the 节假日安排 setting), and
# limits per household phone (a day), per client (filing) and per tracking number.
COMPLAINTS_DEADLINE_WORKING_DAYS = env.int("COMPLAINTS_DEADLINE_WORKING_DAYS", default=15)
COMPLAINTS_AGENCY_ANSWER_WORKING_DAYS = env.int("COMPLAINTS_AGENCY_ANSWER_WORKING_DAYS", default=3)
COMPLAINTS_PER_PHONE_PER_DAY = env.int("COMPLAINTS_PER_PHONE_PER_DAY", default=3)
COMPLAINTS_FILE_RATE = env.str("COMPLAINTS_FILE_RATE", default="5/h")
COMPLAINTS_TRACK_NUMBER_RATE = env.str("COMPLAINTS_TRACK_NUMBER_RATE", default="10/h")
# Consent (#26): seconds a household's request waits for the worker, pending requests
# per client, the longest grant a worker may give (hours), how long a worker's "refuse
# all" lasts (hours), how often the pages poll, and days the view log is kept (purged
# by a beat task every CONSENT_PURGE_SECONDS).
CONSENT_REQUEST_SECONDS = env.int("CONSENT_REQUEST_SECONDS", default=120)
CONSENT_PENDING_PER_CLIENT = env.int("CONSENT_PENDING_PER_CLIENT", default=3)
CONSENT_LONGEST_GRANT_HOURS = env.int("CONSENT_LONGEST_GRANT_HOURS", default=168)
CONSENT_PAUSE_HOURS = env.int("CONSENT_PAUSE_HOURS", default=24)
CONSENT_POLL_SECONDS = env.int("CONSENT_POLL_SECONDS", default=3)
CONSENT_RETENTION_DAYS = env.int("CONSENT_RETENTION_DAYS", default=180)
CONSENT_PURGE_SECONDS = env.int("CONSENT_PURGE_SECONDS", default=3600)
