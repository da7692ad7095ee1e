"""Native API: media for players, opened by a short-lived read-only link.

``GET|HEAD media/{artifact_id}?exp=...&sig=...`` streams one artifact with Range support
(so hours of audio or video play and seek at once).  A browser's ``<audio src>`` cannot
send the token, so the dashboards' kernels sign a link for the one file instead (see
:mod:`recordroute.app.links`); the token works too.  Inside JupyterLab the lab's own
login decides, as for every route.
"""

from __future__ import annotations

from ..app.links import LinksService
from ..errors import AuthError
from .auth import token_from, token_matches
from .handlers_artifacts import DownloadBase
from .schemas_uploads import MediaQuery


class MediaHandler(DownloadBase):
    #: the token is not required: the link's signature (or the token) is checked below
    public = True

    def prepare(self) -> None:
        super().prepare()
        if self.ctx.options.auth == "jupyter" or self.request.method == "OPTIONS":
            return
        artifact_id = self.path_kwargs["artifact_id"]
        query = self.query_model(MediaQuery)
        signature = query.sig or ""
        links = LinksService(self.ctx.options.token)
        if links.verify_media(artifact_id, query.exp or "", signature):
            return
        given = token_from(self.request.headers, query.token, allow_query=True)
        if token_matches(given, self.ctx.options.token):
            return
        raise AuthError(
            "This media link is wrong or has expired."
            if signature
            else "Playing media needs a media link or the server's token.",
            "Open the recording again in the viewer (it makes a fresh link), or send "
            "'Authorization: Bearer <token>'.",
        )

    async def get(self, artifact_id: str) -> None:
        await self.serve(artifact_id, attachment=False, generic_type=False)

    async def head(self, artifact_id: str) -> None:
        await self.get(artifact_id)
