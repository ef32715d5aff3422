"""Settings come from the environment; README.md lists every one."""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when several workers start at once, only one writes the key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{instance_path / 'treffpunkt.db'}")
    # Hosting platforms often hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load(instance_path: Path) -> dict:
    env = os.environ.get
    base_url = env("BASE_URL", "").rstrip("/")
    https = base_url.startswith("https://")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "BABEL_DEFAULT_LOCALE": env("DEFAULT_LOCALE", "de"),
        "BABEL_DEFAULT_TIMEZONE": env("DEFAULT_TIMEZONE", "Europe/Berlin"),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        # Participants' and the public's pages; organizer pages speak ORGANIZER_LANGUAGES.
        "LANGUAGES": ["de", "en", "ar", "fa", "uk", "ru", "tr"],
        "ORGANIZER_LANGUAGES": ["de", "en"],
        "MAIL_SERVER": env("MAIL_SERVER"),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "") in ("1", "true", "yes"),
        "MAIL_USE_SSL": env("MAIL_USE_SSL", "") in ("1", "true", "yes"),
        "MAIL_USERNAME": env("MAIL_USERNAME"),
        "MAIL_PASSWORD": env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "Treffpunkt <treffpunkt@localhost>"),
        "MAIL_KEEP_DAYS": int(env("MAIL_KEEP_DAYS", "30")),
        # Shared by every worker and server: rate-limit counters and cached pages and feeds.
        "REDIS_URL": env("REDIS_URL", ""),
        # memory:// counts per process, so 4 workers would allow 4 times the limit.
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI") or env("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Storage down (Redis): count in this process until it answers again (logged once), rather
        # than fail every request or let every attempt through.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Without Redis, feeds are cached in this folder (default instance/cache) for every
        # worker of the machine, up to CACHE_SIZE_LIMIT bytes; each process keeps the most
        # used CACHE_LOCAL_BYTES in memory. With Redis, entries expire after CACHE_TTL seconds.
        "CACHE_DIR": env("CACHE_DIR", ""),
        "CACHE_SIZE_LIMIT": int(env("CACHE_SIZE_LIMIT", str(512 * 1024 * 1024))),
        "CACHE_LOCAL_BYTES": int(env("CACHE_LOCAL_BYTES", str(16 * 1024 * 1024))),
        "CACHE_TTL": int(env("CACHE_TTL", str(7 * 24 * 3600))),
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # Reverse proxies in front that set X-Forwarded-For/-Proto (0: trust none).
        "PROXY_COUNT": int(env("PROXY_COUNT", "0")),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "PASSWORD_RESET_HOURS": 2,
        # Who may show the programme's embed page in an iframe (CSP frame-ancestors).
        "EMBED_FRAME_ANCESTORS": env("EMBED_FRAME_ANCESTORS", "*"),
        # /readyz fails when the oldest mail still waiting to be sent is older than this (seconds):
        # the outbox worker is not running, or the mail server refuses for that long.
        "READY_MAX_OUTBOX_AGE": int(env("READY_MAX_OUTBOX_AGE", str(15 * 60))),
        # One log line per request: "text" for people, "json" for a log collector.
        "LOG_FORMAT": env("LOG_FORMAT", "text").strip().lower(),
        # Prometheus metrics at /metrics: off unless asked for, and then only for these
        # addresses or networks (everyone else gets 404, as if there were no such page).
        "METRICS_ENABLED": env("METRICS_ENABLED", "") in ("1", "true", "yes"),
        "METRICS_ALLOWED": env("METRICS_ALLOWED", "127.0.0.1 ::1"),
    }
