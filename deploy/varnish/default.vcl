# Varnish 7 (Debian's varnish package) in front of the platform's gunicorn.
#
#     nginx (TLS, :443) -> Varnish (this file, :6081) -> gunicorn (127.0.0.1:8000)
#
# What it does, and why (docs/deployment.md, "Edge cache (Varnish or a CDN)"):
# - Only anonymous GET and HEAD requests are looked up in the cache. A request with
#   a session, CSRF or messages cookie, or an Authorization header, goes straight to
#   the app (pass). Other cookies (analytics) are dropped, except django_language,
#   the visitor's language choice, which the app varies on (Vary: Cookie).
# - Only what the app explicitly offers to shared caches is stored (Cache-Control
#   with public, s-maxage or max-age); never a response that sets a cookie, and never
#   one marked private, no-store or no-cache.
# - Tracking parameters (utm_*, and WeChat's from and isappinstalled) are removed from
#   the URL, so a shared link hits the same entry as the plain one.
# - PURGE is accepted only from the purgers ACL (the app hosts, where Wagtail's
#   frontend cache sends it) and never through a front proxy.
# - X-Cache: HIT or MISS on every answer.
# - Grace: during an origin outage portal pages are served stale for up to 6 hours;
#   verify pages (/v/...) and the verify API (/api/v1/verify/...) never are, so a
#   revoked certificate can never show a stale "valid".
#
# Run it with, for example (/etc/default/varnish or a systemd override):
#     varnishd -a 127.0.0.1:6081 -f /etc/varnish/default.vcl -s malloc,1g
# and set FRONTEND_CACHE_URLS=http://127.0.0.1:6081 for the app.

vcl 4.1;

import std;

# The origin: gunicorn on this machine. The tests (tests/edge/) point a copy of this
# file at their live server by replacing the .host and .port lines of this block.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
    # Marks the origin sick when it stops answering, which turns on the long grace
    # below. Host must be in DJANGO_ALLOWED_HOSTS (localhost is by default); the
    # forwarded scheme keeps SECURE_SSL_REDIRECT from answering with a redirect.
    .probe = {
        .request =
            "GET /health/live HTTP/1.1"
            "Host: localhost"
            "X-Forwarded-Proto: https"
            "Connection: close";
        .interval = 2s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

# Who may PURGE: the hosts that run the app (gunicorn, Celery workers), since purges
# are sent after commit from both. Add their addresses, e.g. "10.0.1.0"/24;.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # One spelling of the host per site, as Wagtail's purge sends it: lower case,
    # without a default port.
    if (req.http.Host) {
        set req.http.Host = regsub(std.tolower(req.http.Host), ":(80|443)$", "");
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "PURGE not allowed from this address"));
        }
        # Varnish has appended client.ip to X-Forwarded-For already; a second entry
        # means the request came through a proxy (nginx on this machine), that is,
        # from the outside.
        if (req.http.X-Forwarded-For ~ ",") {
            return (synth(405, "PURGE not allowed through a proxy"));
        }
        return (purge);
    }

    if (req.method != "GET" && req.method != "HEAD") {
        # Posted forms (lookups, sign-in, exam answers) and everything else: the app.
        return (pass);
    }

    # Tracking parameters never change the page: drop them from the URL (and so from
    # the cache key and the request to the app). utm_source=…, from=singlemessage,
    # isappinstalled=0; a parameter merely starting with "from" (from_date) stays.
    if (req.url ~ "[?&](utm_[^=&]*|from|isappinstalled)(=|&|$)") {
        set req.url = regsuball(req.url, "[?&](utm_[^=&]*|from|isappinstalled)(=[^&]*)?(?=&|$)", "");
        set req.url = regsub(req.url, "^([^?]*)&", "\1?");
        set req.url = regsub(req.url, "\?$", "");
    }

    if (req.http.Authorization) {
        return (pass);
    }
    # Signed in (session), holding a form's CSRF token, with a message waiting, or
    # holding a worker's consent (a request waiting, a grant: consent/views.py, sent
    # only to /consent/): the answer is this visitor's own.
    if (req.http.Cookie ~ "(^|;)\s*(sessionid|csrftoken|messages|consent_request|consent_grant)=") {
        return (pass);
    }

    # Keep only django_language, and only with a language the site has (a made-up
    # value would otherwise make a new variant per value). LANGUAGES in lms/settings.py.
    if (req.http.Cookie) {
        set req.http.Cookie = ";" + req.http.Cookie;
        set req.http.Cookie = regsuball(req.http.Cookie, ";\s*", ";");
        set req.http.Cookie = regsuball(req.http.Cookie, ";(django_language=)", "; \1");
        set req.http.Cookie = regsuball(req.http.Cookie, ";[^ ][^;]*", "");
        set req.http.Cookie = regsuball(req.http.Cookie, "^[; ]+|[; ]+$", "");
        if (req.http.Cookie !~ "^django_language=(zh-hans|en)$") {
            unset req.http.Cookie;
        }
    }
    # The language comes from the cookie, else from Accept-Language. Reduce the header
    # to the language the app would choose, so that Vary: Accept-Language makes two
    # variants rather than one per browser's spelling of its preferences.
    if (req.http.Cookie) {
        unset req.http.Accept-Language;
    } else if (req.http.Accept-Language ~ "(?i)^\s*en"
            || (req.http.Accept-Language ~ "(?i)(^|,)\s*en"
                && req.http.Accept-Language !~ "(?i)(^|,)\s*zh")) {
        set req.http.Accept-Language = "en";
    } else {
        set req.http.Accept-Language = "zh-hans";
    }

    # Verify answers are never served stale; portal pages are served up to 10 s
    # stale while refreshed in the background, and up to the object's whole grace
    # (below) while the origin is sick.
    if (req.url ~ "^/(v|api/v1/verify)/") {
        set req.grace = 0s;
    } else if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    # URL and host only: language and cookie variants live under one hash (Vary),
    # so that one PURGE of the path removes every variant.
    hash_data(req.url);
    if (req.http.Host) {
        hash_data(req.http.Host);
    } else {
        hash_data(server.ip);
    }
    return (lookup);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        # A pass: never stored.
        return (deliver);
    }
    # A background refresh that fails keeps the stale copy (stale-if-error).
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.http.Set-Cookie
            || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
            || beresp.http.Cache-Control !~ "(?i)(public|s-maxage|max-age)"
            || beresp.http.Vary == "*"
            || beresp.ttl <= 0s) {
        # Not everyone's answer, or not offered to shared caches: remember for two
        # minutes that this URL goes to the app (hit-for-miss), store nothing.
        set beresp.ttl = 120s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (bereq.url ~ "^/(v|api/v1/verify)/") {
        # A certificate's status: at most a minute, and never stale.
        if (beresp.ttl > 60s) {
            set beresp.ttl = 60s;
        }
        set beresp.grace = 0s;
        set beresp.keep = 0s;
    } else {
        set beresp.grace = 6h;
    }
    # Pages travel to phones compressed; Varnish stores them compressed once.
    if (beresp.http.Content-Type ~ "^(text/|application/(json|xml|rss\+xml|atom\+xml|javascript))") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    return (deliver);
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason;
    return (deliver);
}
