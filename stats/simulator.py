"""A local TikTok API simulator: a small WSGI app speaking the documented shapes (../shared/TIKTOK_API.md).

Tests run the client against it over real HTTP on loopback; `make run` can point the demo at it, so
nobody needs a TikTok developer account to see stats arrive. It knows OAuth (code exchange, refresh
with rotation, revoke), /v2/user/info/, /v2/video/list/ (cursor paging) and /v2/video/query/ (at most
20 ids), stats that grow each time they are read, and faults switched on from Python or over HTTP:
429 (with or without Retry-After), 401 token expiry, 500, slow answers, a fault on one endpoint only, a 200 whose
body is not JSON, a video deleted or made private (absent from the answers) and a video answered twice.

The two video endpoints answer only the fields asked for in ``fields``, as TikTok does (none, or one the
simulator doesn't know, is invalid_params): id, create_time, title, video_description (cut at 150 characters,
TikTok's documented maximum), duration (whole seconds), share_url (https://www.tiktok.com/@<username>/video/<id>)
and the four counts. Views (and likes) grow only when view_count is asked for, so a query for a video's details
leaves its stats alone. What TikTok shows of a video (its description, duration, posting time) changes with
``edit_video``, or over HTTP.

Over HTTP, for a running demo, POST JSON to /control/:
    {"fail": {"status": 429, "code": "rate_limit_exceeded", "times": 2, "retry_after": 7, "path": "/v2/video/query/"}}
    {"delay": 1}
    {"edit": {"video_id": "7000000000000000001", "description": "…", "duration": 31, "create_time": 1700000000}}

    python -m stats.simulator --port 8765
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from html import escape
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

MAX_QUERY_IDS = 20
TEXT_LIMIT = 150  # video_description and title: TikTok documents 150 characters at most
STATS_FIELDS = ("view_count", "like_count", "comment_count", "share_count")
VIDEO_FIELDS = frozenset({"id", "create_time", "title", "video_description", "duration", "share_url", *STATS_FIELDS})
ACCESS_SECONDS = 86_400
REFRESH_SECONDS = 31_536_000


@dataclass
class Video:
    id: str
    create_time: int
    title: str
    view_count: int
    like_count: int
    comment_count: int
    share_count: int
    growth: int = 1_000  # views added each time the stats are read
    hidden: bool = False  # deleted or made private: absent from every answer, as TikTok leaves it out
    answered_twice: bool = False  # /v2/video/query/ holds it twice, the second time with other figures
    description: str = ""  # as the agency typed it; answered as video_description, cut at TEXT_LIMIT
    duration: int = 30  # whole seconds, as TikTok gives it

    def share_url(self, username: str) -> str:
        return f"https://www.tiktok.com/@{username}/video/{self.id}"


@dataclass
class Account:
    open_id: str
    display_name: str
    follower_count: int
    videos: list[Video] = field(default_factory=list)
    username: str = ""  # the @handle (scope user.info.profile)


@dataclass
class Fault:
    status: int
    code: str
    retry_after: int | None = None
    payload: dict | str | None = None  # a 200 answer with this body instead (a malformed answer; str: sent as is)
    path: str | None = None  # only the next request to this endpoint; None: the next request to any


class Simulator:
    def __init__(self, client_key: str = "sim-client", client_secret: str = "sim-secret"):  # noqa: S107 - test double
        self.client_key = client_key
        self.client_secret = client_secret
        self.accounts: dict[str, Account] = {}
        self.codes: dict[str, str] = {}
        self.access_tokens: dict[str, tuple[str, float]] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.faults: list[Fault] = []
        self.scopes: dict[str, str] = {}  # open_id → the scopes its last consent granted
        self.delay = 0.0
        self.requests: list[str] = []
        self.lock = threading.Lock()

    # --- Control, used by tests and by the HTTP control endpoint ------------------------------------
    def add_account(self, open_id: str, display_name: str, follower_count: int, username: str = "") -> Account:
        account = Account(open_id, display_name, follower_count, username=username)
        self.accounts[open_id] = account
        return account

    def add_video(
        self,
        open_id: str,
        video_id: str,
        *,
        views=100_000,
        likes=2_500,
        comments=16,
        shares=40,
        create_time=0,
        description: str = "",
        duration: int = 30,
    ) -> Video:
        video = Video(
            video_id,
            create_time or int(time.time()),
            f"Video {video_id}",
            views,
            likes,
            comments,
            shares,
            description=description,
            duration=duration,
        )
        self.accounts[open_id].videos.append(video)
        return video

    def edit_video(
        self,
        video_id: str,
        *,
        description: str | None = None,
        duration: int | None = None,
        create_time: int | None = None,
    ) -> Video:
        """What TikTok shows of a posted video changes (the agency edits the caption, posts another file, ...);
        None leaves a value as it is. KeyError for a video no account has."""
        video = next(
            (video for account in self.accounts.values() for video in account.videos if video.id == str(video_id)),
            None,
        )
        if video is None:
            raise KeyError(f"no video {video_id}")
        with self.lock:
            if description is not None:
                video.description = str(description)
            if duration is not None:
                video.duration = int(duration)
            if create_time is not None:
                video.create_time = int(create_time)
        return video

    def authorization_code(self, open_id: str) -> str:
        code = secrets.token_urlsafe(12)
        self.codes[code] = open_id
        return code

    def fail_next(
        self, status: int, code: str, times: int = 1, retry_after: int | None = None, path: str | None = None
    ) -> None:
        """The next requests (to ``path`` only, if given) get this error."""
        self.faults.extend(Fault(status, code, retry_after, path=path) for _ in range(times))

    def answer_next(self, payload: dict | str, times: int = 1, path: str | None = None) -> None:
        """The next requests get 200 with this body, e.g. one that breaks the documented shape (a str is sent as
        it is: not JSON at all)."""
        self.faults.extend(Fault(200, "ok", payload=payload, path=path) for _ in range(times))

    def _take_fault(self, path: str) -> Fault | None:
        if path.startswith("/control/"):
            return None
        for index, fault in enumerate(self.faults):
            if fault.path is None or fault.path == path:
                return self.faults.pop(index)
        return None

    def expire_access_tokens(self) -> None:
        self.access_tokens = {token: (open_id, 0.0) for token, (open_id, _) in self.access_tokens.items()}

    # --- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        with self.lock:
            self.requests.append(path)
            fault = self._take_fault(path)
        if self.delay:
            time.sleep(self.delay)
        if fault is not None:
            return self._fault(fault, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            if path == "/v2/oauth/token/":
                return self._token(parse_qs(body.decode()), start_response)
            if path == "/v2/oauth/revoke/":
                return self._revoke(parse_qs(body.decode()), start_response)
            if path == "/v2/auth/authorize/":
                return self._authorize(parse_qs(environ.get("QUERY_STRING", "")), start_response)
            if path == "/control/":
                return self._control(json.loads(body or b"{}"), start_response)
            open_id = self._authorised(environ)
            if open_id is None:
                return self._data_error(401, "access_token_invalid", "Access token is invalid", start_response)
            if path == "/v2/user/info/":
                account = self.accounts[open_id]
                user = {
                    "open_id": open_id,
                    "display_name": account.display_name,
                    "follower_count": account.follower_count,
                }
                granted = self.scopes.get(open_id, "")
                if account.username and "user.info.profile" in granted.split(","):
                    user["username"] = account.username
                return self._data({"user": user}, start_response)
            if path in {"/v2/video/list/", "/v2/video/query/"}:
                fields = self._video_fields(parse_qs(environ.get("QUERY_STRING", "")))
                answer = self._video_list if path == "/v2/video/list/" else self._video_query
                return answer(open_id, fields, json.loads(body or b"{}"), start_response)
        except (ValueError, KeyError, TypeError) as error:
            return self._data_error(400, "invalid_params", f"Bad request: {error}", start_response)
        return self._data_error(404, "invalid_params", "Unknown endpoint", start_response)

    def _authorised(self, environ) -> str | None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header.removeprefix("Bearer ").strip()
        found = self.access_tokens.get(token)
        if found is None or found[1] < time.time():
            return None
        return found[0]

    def _issue(self, open_id: str) -> dict:
        access, refresh = f"act.{secrets.token_urlsafe(16)}", f"rft.{secrets.token_urlsafe(16)}"
        self.access_tokens[access] = (open_id, time.time() + ACCESS_SECONDS)
        self.refresh_tokens[refresh] = open_id
        return {
            "access_token": access,
            "expires_in": ACCESS_SECONDS,
            "open_id": open_id,
            "refresh_expires_in": REFRESH_SECONDS,
            "refresh_token": refresh,
            "scope": "user.info.basic,user.info.stats,video.list",
            "token_type": "Bearer",
        }

    def _token(self, form: dict, start_response):
        value = {key: values[0] for key, values in form.items()}
        if value.get("client_key") != self.client_key or value.get("client_secret") != self.client_secret:
            return self._oauth_error("invalid_client", start_response)
        grant = value.get("grant_type")
        if grant == "authorization_code":
            open_id = self.codes.pop(value.get("code", ""), None)
        elif grant == "refresh_token":
            # Rotation: the old refresh token is used up; the answer carries a new one.
            open_id = self.refresh_tokens.pop(value.get("refresh_token", ""), None)
        else:
            return self._oauth_error("unsupported_grant_type", start_response)
        if open_id is None:
            return self._oauth_error("invalid_grant", start_response)
        return self._json(200, self._issue(open_id), start_response)

    def _authorize(self, query: dict, start_response):
        """The consent screen, simplified: with one account it consents at once; with several, a page asks
        which account logs in (as TikTok's own log-in would); then the browser goes back to the app with a
        code, the scopes granted and the app's own state."""
        value = {key: values[0] for key, values in query.items()}
        if value.get("client_key") != self.client_key or value.get("response_type") != "code":
            return self._oauth_error("invalid_request", start_response)
        if not self.accounts:
            return self._oauth_error("access_denied", start_response)
        open_id = value.get("open_id")
        if open_id is None and len(self.accounts) > 1:
            return self._account_chooser(value, start_response)
        open_id = open_id or next(iter(self.accounts))
        code = self.authorization_code(open_id)
        self.scopes[open_id] = value.get("scope", "")
        answer = {"code": code, "state": value.get("state", ""), "scopes": value.get("scope", "")}
        target = f"{value['redirect_uri']}?{urlencode(answer)}"
        start_response("302 Found", [("Location", target)])
        return [b""]

    def _account_chooser(self, value: dict, start_response):
        links = "".join(
            f'<li><a href="/v2/auth/authorize/?{urlencode(value | {"open_id": open_id})}">'
            f"@{escape(account.username or open_id)} ({escape(account.display_name)})</a></li>"
            for open_id, account in self.accounts.items()
        )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TikTok (simulator): log in</title>'
            f"</head><body><h1>Log in to TikTok (simulator)</h1><p>Which account gives access?</p><ul>{links}</ul>"
            "</body></html>"
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def _revoke(self, form: dict, start_response):
        token = form.get("token", [""])[0]
        self.access_tokens.pop(token, None)
        self.refresh_tokens.pop(token, None)
        return self._json(200, {}, start_response)

    @staticmethod
    def _video_fields(query: dict) -> list[str]:
        """The ``fields`` asked for, in their order. TikTok requires them; the simulator refuses a name it doesn't
        know rather than leave it out, so a typo in the client shows."""
        fields = [name.strip() for value in query.get("fields", []) for name in value.split(",") if name.strip()]
        if not fields:
            raise ValueError("fields is required")
        unknown = sorted(set(fields) - VIDEO_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown fields {','.join(unknown)} (the simulator knows {','.join(sorted(VIDEO_FIELDS))})"
            )
        return list(dict.fromkeys(fields))

    def _video_answer(self, account: Account, video: Video, fields: list[str]) -> dict:
        """The video as TikTok answers it: only ``fields``. Reading view_count is what makes the figures grow."""
        if "view_count" in fields:
            video.view_count += video.growth
            video.like_count += video.growth // 40
        every = {
            "id": video.id,
            "create_time": video.create_time,
            "title": video.title[:TEXT_LIMIT],
            "video_description": video.description[:TEXT_LIMIT],
            "duration": video.duration,
            "share_url": video.share_url(account.username or account.open_id),
            "view_count": video.view_count,
            "like_count": video.like_count,
            "comment_count": video.comment_count,
            "share_count": video.share_count,
        }
        return {name: every[name] for name in fields}

    def _video_list(self, open_id: str, fields: list[str], body: dict, start_response):
        count = int(body.get("max_count", 20))
        if not 1 <= count <= 20:
            raise ValueError("max_count must be 1..20")
        account = self.accounts[open_id]
        public = [video for video in account.videos if not video.hidden]
        videos = sorted(public, key=lambda v: v.create_time, reverse=True)
        cursor = int(body.get("cursor") or 0)
        page = videos[cursor : cursor + count]
        data = {
            "videos": [self._video_answer(account, video, fields) for video in page],
            "cursor": cursor + len(page),
            "has_more": cursor + len(page) < len(videos),
        }
        return self._data(data, start_response)

    def _video_query(self, open_id: str, fields: list[str], body: dict, start_response):
        ids = body["filters"]["video_ids"]
        if len(ids) > MAX_QUERY_IDS:
            raise ValueError("at most 20 video ids")
        wanted = set(ids)
        account = self.accounts[open_id]
        found = []
        for video in account.videos:
            if video.id in wanted and not video.hidden:
                answer = self._video_answer(account, video, fields)
                found.append(answer)
                if video.answered_twice:  # as seen from TikTok: the same id again, with a bogus count
                    found.append(answer | ({"view_count": 1} if "view_count" in answer else {}))
        return self._data({"videos": found}, start_response)

    def _control(self, body: dict, start_response):
        """Over HTTP, for a running demo: {"fail": {"status": 429, "code": "...", "times": 2, "path": "..."}},
        {"delay": 1}, {"edit": {"video_id": "...", "description": "...", "duration": 31, "create_time": 1700000000}}
        (any of the three edited; an unknown video is invalid_params)."""
        if "edit" in body:
            edit = body["edit"]
            self.edit_video(
                str(edit["video_id"]),
                description=None if edit.get("description") is None else str(edit["description"]),
                duration=None if edit.get("duration") is None else int(edit["duration"]),
                create_time=None if edit.get("create_time") is None else int(edit["create_time"]),
            )
        if "fail" in body:
            fail = body["fail"]
            self.fail_next(
                int(fail["status"]), fail["code"], int(fail.get("times", 1)), fail.get("retry_after"), fail.get("path")
            )
        if "delay" in body:
            self.delay = float(body["delay"])
        return self._json(200, {"ok": True}, start_response)

    # --- Answers -------------------------------------------------------------------------------------
    @staticmethod
    def _json(status: int, payload: dict, start_response, headers=()):
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}
        start_response(f"{status} {reason.get(status, 'Error')}", [("Content-Type", "application/json"), *headers])
        return [json.dumps(payload).encode()]

    def _data(self, data: dict, start_response):
        return self._json(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": "sim"}}, start_response)

    def _data_error(self, status: int, code: str, message: str, start_response, headers=()):
        body = {"data": {}, "error": {"code": code, "message": message, "log_id": "sim"}}
        return self._json(status, body, start_response, headers)

    def _oauth_error(self, code: str, start_response):
        return self._json(400, {"error": code, "error_description": code, "log_id": "sim"}, start_response)

    def _fault(self, fault: Fault, start_response):
        if isinstance(fault.payload, str):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [fault.payload.encode()]
        if fault.payload is not None:
            return self._json(200, fault.payload, start_response)
        headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
        return self._data_error(fault.status, fault.code, f"Simulated {fault.code}", start_response, headers)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # the tests' output stays readable
        pass


def serve(simulator: Simulator, host: str = "127.0.0.1", port: int = 0):
    """Start the simulator in a background thread; returns (server, base_url)."""
    server = make_server(host, port, simulator, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_port}"


# The pilot videos of the demo data (home/demo/content.py numbers them from this id on).
DEMO_FIRST_VIDEO_ID = 7_000_000_000_000_000_001
DEMO_PILOT_VIDEOS = 15
DEMO_RECENT_VIDEO_IDS = range(7_000_000_000_000_000_051, 7_000_000_000_000_000_055)  # the last two weeks' posts
# The recent posts' figures as TikTok has them now (views, likes, comments, shares), oldest first: the demo's
# history of each (home/demo/stats.py) climbs up to these, so the first pull continues it.
DEMO_RECENT_FIGURES = [(162_000, 5_100, 310, 420), (134_000, 3_900, 180, 260), (118_000, 2_900, 95, 150),
                       (71_000, 2_200, 60, 90)]  # fmt: skip


# The captions of the last two weeks' posts as they were approved (home/demo/content.py gives its briefs these), and as
# TikTok shows them: the second went live without its disclosure, which the post check finds.
DEMO_DISCLOSURE = "Reclame | in opdracht van het Ministerie van VWS"
DEMO_RECENT_CAPTIONS = [
    f"{DEMO_DISCLOSURE} Werk je in de zorg? Haal je griepprik, meer op Rijksoverheid.nl #griepprik #zorg",
    f"{DEMO_DISCLOSURE} Gezond ontbijten kan ook op de fiets. Meer op Rijksoverheid.nl #ontbijt #gezond",
    f"{DEMO_DISCLOSURE} Een appje kan iemands dag maken. #eenzaamheid #samen",
    f"{DEMO_DISCLOSURE} Elke dag de trap: bewegen telt. #bewegen #sport",
]
DEMO_LIVE_CAPTIONS = [
    DEMO_RECENT_CAPTIONS[0],
    DEMO_RECENT_CAPTIONS[1].removeprefix(DEMO_DISCLOSURE).strip(),
    *DEMO_RECENT_CAPTIONS[2:],
]


def demo_simulator() -> Simulator:
    """The demo's two accounts, for `make run`: the ministry's with the pilot's 15 videos and the last two
    weeks' 4, and Nykvarn's. Connecting asks which account logs in, as TikTok's own log-in would."""
    simulator = Simulator()
    simulator.add_account("demo-minvws", "Ministerie van VWS (demo)", follower_count=14_500, username="minvws")
    simulator.add_account("demo-nykvarn", "Nykvarns kommun (demo)", follower_count=1_250, username="nykvarnskommun")
    for n in range(DEMO_PILOT_VIDEOS):
        simulator.add_video(
            "demo-minvws",
            str(DEMO_FIRST_VIDEO_ID + n),
            views=105_000 + n * 8_000,
            likes=2_500 + n * 450,
            comments=16 + n * 55,
        )
    recent = zip(DEMO_RECENT_VIDEO_IDS, DEMO_RECENT_FIGURES, DEMO_LIVE_CAPTIONS, strict=True)
    for video_id, (views, likes, comments, shares), caption in recent:
        simulator.add_video(
            "demo-minvws",
            str(video_id),
            views=views,
            likes=likes,
            comments=comments,
            shares=shares,
            description=caption,
        )
    return simulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--demo", action="store_true", help="Start with the demo ministry's account and videos.")
    args = parser.parse_args()
    simulator = demo_simulator() if args.demo else Simulator()
    server = make_server("127.0.0.1", args.port, simulator, handler_class=_QuietHandler)
    print(f"TikTok API simulator on http://127.0.0.1:{args.port}")
    server.serve_forever()


if __name__ == "__main__":
    main()
