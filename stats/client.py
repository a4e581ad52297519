"""An httpx client for TikTok's Display API v2 and OAuth v2 (shapes in ../shared/TIKTOK_API.md).

Data endpoints wrap their answer as {"data": …, "error": {"code": "ok"}}; OAuth answers are flat,
and so are its errors ({"error": "invalid_grant"}). Both become a ``TikTokError`` with the code, the
HTTP status and, for 429, the Retry-After seconds when TikTok sends them (it doesn't document any).
Every call has a timeout.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_QUERY_IDS = 20  # /v2/video/query/ takes at most 20 ids per request
VIDEO_STATS_FIELDS = "id,view_count,like_count,comment_count,share_count"
VIDEO_LIST_FIELDS = "id,create_time,title"
# What the check of a live post against its approval reads (stats.postcheck): no counts, so asking doesn't count as
# reading the figures.
VIDEO_DETAIL_FIELDS = "id,create_time,video_description,duration,share_url"
USER_STATS_FIELDS = "open_id,display_name,follower_count,likes_count,video_count"
USER_PROFILE_FIELDS = "open_id,display_name,username"


# Faults that pass even though TikTok's status doesn't say so: an answer we could not read (a 200 with broken
# JSON), and a token TikTok refused right after renewing it.
PASSING_CODES = {"bad_response", "token_refused_after_refresh"}
# Ours: the pull cannot start until someone connects the channel; trying again changes nothing.
FINAL_CODES = {"not_connected"}


class TikTokError(Exception):
    def __init__(self, code: str, message: str = "", status: int = 0, retry_after: float | None = None):
        super().__init__(f"{code}: {message}" if message else code)
        self.code, self.message, self.status, self.retry_after = code, message, status, retry_after
        self.run = None  # the PullRun this error failed (set by stats.services), for the task to note its retry

    @property
    def token_invalid(self) -> bool:
        return self.code in {"access_token_invalid", "invalid_grant"}

    @property
    def retryable(self) -> bool:
        """429, 5xx, network trouble (status 0) and the passing faults may succeed later; the rest won't."""
        if self.code in FINAL_CODES:
            return False
        return self.code in PASSING_CODES or self.status == 429 or self.status >= 500 or self.status == 0


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    open_id: str
    scope: str
    expires_in: int
    refresh_expires_in: int


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _json(response: httpx.Response) -> dict:
    try:
        payload = response.json()
    except ValueError:
        raise TikTokError("bad_response", "not JSON", response.status_code, _retry_after(response)) from None
    if not isinstance(payload, dict):
        raise TikTokError("bad_response", "not an object", response.status_code)
    return payload


class TikTokClient:
    def __init__(self, base_url: str, access_token: str, *, transport=None, limiter=None, timeout=TIMEOUT):
        """``limiter(endpoint)`` is called before every request (our share of TikTok's rate limit)."""
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {access_token}"},
            transport=transport,
        )
        self.requests_made = 0

    def close(self):
        self.http.close()

    def _data(self, method: str, path: str, fields: str, body: dict | None = None) -> dict:
        if self.limiter is not None:
            self.limiter(path)
        self.requests_made += 1
        try:
            response = self.http.request(method, path, params={"fields": fields}, json=body)
        except httpx.HTTPError as error:
            raise TikTokError("network_error", str(error), 0) from error
        payload = _json(response)
        error = payload.get("error") or {}
        if response.status_code != 200 or error.get("code") != "ok":
            raise TikTokError(
                error.get("code", "unknown_error"),
                error.get("message", ""),
                response.status_code,
                _retry_after(response),
            )
        data = payload.get("data")
        if not isinstance(data, dict):
            raise TikTokError("bad_response", "no data object", response.status_code)
        return data

    def user_info(self) -> dict:
        return self._data("GET", "/v2/user/info/", USER_STATS_FIELDS)["user"]

    def profile(self) -> dict:
        """Who the token belongs to: open_id, display name and @username (scope user.info.profile)."""
        return self._data("GET", "/v2/user/info/", USER_PROFILE_FIELDS)["user"]

    def video_list(self, cursor: int | None = None, max_count: int = 20) -> dict:
        body = {"max_count": max_count} | ({"cursor": cursor} if cursor else {})
        return self._data("POST", "/v2/video/list/", VIDEO_LIST_FIELDS, body)

    def all_videos(self, max_pages: int = 500):
        """Every public video of the account, newest first, following TikTok's cursor (a page may be
        short while has_more is still true)."""
        cursor = None
        for _ in range(max_pages):
            page = self.video_list(cursor)
            yield from page.get("videos", [])
            if not page.get("has_more"):
                return
            cursor = page.get("cursor")

    def video_query(self, video_ids: list[str]) -> list[dict]:
        return self._query(video_ids, VIDEO_STATS_FIELDS)

    def video_details(self, video_ids: list[str]) -> list[dict]:
        """What TikTok shows of these videos (VIDEO_DETAIL_FIELDS), for comparing with what was approved; a video
        deleted or made private is absent. The values are TikTok's as sent: ``stats.postcheck.live_from_api``
        checks their types."""
        return self._query(video_ids, VIDEO_DETAIL_FIELDS)

    def _query(self, video_ids: list[str], fields: str) -> list[dict]:
        if len(video_ids) > MAX_QUERY_IDS:
            raise ValueError(f"at most {MAX_QUERY_IDS} video ids per request")
        body = {"filters": {"video_ids": list(video_ids)}}
        videos = self._data("POST", "/v2/video/query/", fields, body).get("videos", [])
        if not isinstance(videos, list) or not all(isinstance(video, dict) for video in videos):
            raise TikTokError("bad_response", "data.videos is not a list of objects", 200)
        return videos


class OAuthClient:
    def __init__(self, base_url: str, client_key: str, client_secret: str, *, transport=None, timeout=TIMEOUT):
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.client_key, self.client_secret = client_key, client_secret

    def _post(self, path: str, form: dict) -> dict:
        try:
            response = self.http.post(
                path, data={"client_key": self.client_key, "client_secret": self.client_secret, **form}
            )
        except httpx.HTTPError as error:
            raise TikTokError("network_error", str(error), 0) from error
        payload = _json(response)
        if "error" in payload and isinstance(payload["error"], str):
            raise TikTokError(payload["error"], payload.get("error_description", ""), response.status_code)
        if response.status_code != 200:
            # Not one of OAuth's own (flat) errors, so it says nothing about the grant: a server's fault, or an
            # answer we can't read (never taken for a dead authorisation).
            code = "server_error" if response.status_code >= 500 else "bad_response"
            raise TikTokError(code, f"HTTP {response.status_code}", response.status_code, _retry_after(response))
        return payload

    def _tokens(self, payload: dict) -> Tokens:
        try:
            return Tokens(
                access_token=payload["access_token"],
                refresh_token=payload["refresh_token"],
                open_id=payload["open_id"],
                scope=payload.get("scope", ""),
                expires_in=int(payload["expires_in"]),
                refresh_expires_in=int(payload["refresh_expires_in"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise TikTokError("bad_response", f"token answer incomplete: {error}") from error

    def exchange_code(self, code: str, redirect_uri: str) -> Tokens:
        form = {"code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri}
        return self._tokens(self._post("/v2/oauth/token/", form))

    def refresh(self, refresh_token: str) -> Tokens:
        return self._tokens(
            self._post("/v2/oauth/token/", {"grant_type": "refresh_token", "refresh_token": refresh_token})
        )

    def revoke(self, token: str) -> None:
        self._post("/v2/oauth/revoke/", {"token": token})
