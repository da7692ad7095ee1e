"""A web page cannot read or change the archive, not even from a sandboxed frame (which
sends ``Origin: null``, as the desktop shell's ``file://`` page does).

A page on another origin embeds ``<iframe sandbox="allow-scripts">`` whose script tries
to read the history and a file, upload (a CORS-simple multipart POST and a ``no-cors``
one), rename, delete (JSON and a ``text/plain`` ``no-cors`` body), send the shell's
User-Agent itself, and open the progress socket; the page's own frame tries the same.
Everything is refused and the archive is unchanged.  The same page in a browser that
sends the shell's User-Agent reads and connects: the requests reach the server, and only
the shell is let in (and even then a ``no-cors`` upload is refused).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.server_support import ELECTRON_UA, ApiServer, free_port, multipart

pytestmark = pytest.mark.e2e

ATTACK_JS = """
async function attack(cfg, report) {
  const out = {};
  const attempt = async (name, fn) => {
    try { out[name] = await fn(); } catch (e) { out[name] = 'refused: ' + e; }
  };
  const read = async (response) => 'read ' + response.status + ' ' + await response.text();
  await attempt('read_history', async () => read(await fetch(cfg.api + '/history')));
  await attempt('read_file', async () => read(await fetch(cfg.api + cfg.link)));
  const form = () => {
    const body = new FormData();
    body.append('files', new Blob(['planted by a web page']), 'planted.txt');
    return body;
  };
  await attempt('upload_no_cors', async () => {
    await fetch(cfg.api + '/upload', {method: 'POST', mode: 'no-cors', body: form()});
    return 'sent';
  });
  if (cfg.write) {
    const json = (path, body, extra) => fetch(cfg.api + path, Object.assign({
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)
    }, extra || {}));
    await attempt('upload', async () => read(
      await fetch(cfg.api + '/upload', {method: 'POST', body: form()})));
    await attempt('rename', async () => read(
      await json('/update_filename', {record_id: cfg.rid, filename: 'renamed by a web page'})));
    await attempt('delete_ids', async () => read(await json('/delete', {ids: [cfg.rid]})));
    await attempt('delete_text_plain', async () => {
      await fetch(cfg.api + '/delete_records', {method: 'POST', mode: 'no-cors',
        headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({record_ids: [cfg.rid]})});
      return 'sent';
    });
    await attempt('shell_agent', async () => read(await fetch(cfg.api + '/update_filename', {
      method: 'POST', headers: {'Content-Type': 'application/json', 'User-Agent': cfg.agent},
      body: JSON.stringify({record_id: cfg.rid, filename: 'renamed with a forged agent'})})));
  }
  await attempt('socket', () => new Promise(resolve => {
    const ws = new WebSocket(cfg.ws);
    ws.onopen = () => { ws.close(); resolve('open'); };
    ws.onerror = () => resolve('refused');
  }));
  report(out);
}
"""

PAGE = """<!doctype html><html><body>
<script>{js}</script>
<script>
const cfg = {cfg};
window.addEventListener('message', e => {{ window.frameResults = e.data; }});
attack(cfg, out => {{ window.topResults = out; }});
</script>
<iframe sandbox="allow-scripts" src="/frame.html"></iframe>
</body></html>"""

FRAME = """<!doctype html><html><body>
<script>{js}</script>
<script>attack({cfg}, out => parent.postMessage(out, '*'));</script>
</body></html>"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ApiServer]:
    with ApiServer(tmp_path / "db", workers=0) as srv:
        yield srv


def _serve_pages(pages: dict[str, str]) -> ThreadingHTTPServer:
    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode("utf-8")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _state(server: ApiServer) -> tuple[list[tuple[str, str, bool]], list[str]]:
    items = server.api("GET", "/recordings?deleted=all&limit=1000").json()["items"]
    files = sorted(str(p) for p in (server.data_dir / "uploads").rglob("*") if p.is_file())
    return [(r["id"], r["display_name"], r["deleted"]) for r in items], files


def _attack(chromium: Any, server: ApiServer, cfg: dict[str, Any], **context: Any) -> Any:
    script = json.dumps(cfg)
    httpd = _serve_pages(
        {
            "/": PAGE.format(js=ATTACK_JS, cfg=script),
            "/frame.html": FRAME.format(js=ATTACK_JS, cfg=script),
        }
    )
    ctx = chromium.new_context(**context)
    page = ctx.new_page()
    try:
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/")
        page.wait_for_function("() => window.frameResults && window.topResults", timeout=120_000)
        return page.evaluate("[window.frameResults, window.topResults]")
    finally:
        ctx.close()
        httpd.shutdown()
        httpd.server_close()


def test_a_sandboxed_frame_on_a_web_page_cannot_read_or_write(
    server: ApiServer, chromium: Any
) -> None:
    secret = "a private transcript line"
    body, kind = multipart([("file", "private.txt", secret.encode())])
    item = server.compat("POST", "/upload", body=body, headers={"Content-Type": kind}).json()
    rid, link = item["file_uuid"], item["path"]
    before = _state(server)
    cfg = {
        "api": f"http://127.0.0.1:{server.port}",
        "ws": f"ws://127.0.0.1:{server.ws_port}/",
        "link": link,
        "rid": rid,
        "agent": ELECTRON_UA,
        "write": True,
    }
    frame, top = _attack(chromium, server, cfg)
    for where in (frame, top):
        assert set(where) == {
            "read_history",
            "read_file",
            "upload_no_cors",
            "upload",
            "rename",
            "delete_ids",
            "delete_text_plain",
            "shell_agent",
            "socket",
        }, where
        for name in ("read_history", "read_file", "upload", "rename", "delete_ids", "shell_agent"):
            # refused by the browser (no CORS grant) or answered 403: never the data
            answer = where[name]
            assert answer.startswith(("refused", "read 403")), (name, answer)
            assert rid not in answer and secret not in answer, (name, answer)
        assert where["socket"] == "refused"
    if frame["read_history"].startswith("read 403"):  # the refusal is readable where the
        assert "desktop app" in frame["read_history"]  # server echoes the origin on errors
    assert _state(server) == before
    # the control: the same page in a browser sending the shell's User-Agent gets in, so
    # the requests above reached the server; a no-cors upload is still refused
    frame, top = _attack(chromium, server, {**cfg, "write": False}, user_agent=ELECTRON_UA)
    assert frame["read_history"].startswith("read 200") and rid in frame["read_history"]
    assert frame["read_file"] == f"read 200 {secret}"
    assert frame["socket"] == "open"
    assert top["read_history"].startswith(("refused", "read 403"))  # a foreign origin
    assert _state(server) == before
