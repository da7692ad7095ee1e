// RecordRoute's browser widgets (anywidget): the uploader and the transcript player.
// One module for both; the model's "component" trait says which one to draw.
// Files go from the browser straight to the RecordRoute API (never through the kernel);
// media is read from the API with Range requests through a short-lived link.

// -- the API ------------------------------------------------------------------------------
function pageConfig() {
  const el = document.getElementById("jupyter-config-data");
  if (!el) return {};
  try {
    return JSON.parse(el.textContent || "{}");
  } catch (e) {
    return {};
  }
}

function apiBase(endpoint) {
  if (endpoint && endpoint.api) {
    const url = new URL(endpoint.api, location.href);
    if (url.hostname === "0.0.0.0" || url.hostname === "[::]") url.hostname = location.hostname;
    return url.toString().replace(/\/+$/, "");
  }
  // inside JupyterLab: the extension serves the API under the lab's own base URL
  let base = pageConfig().baseUrl || "/";
  if (!base.endsWith("/")) base += "/";
  return location.origin + base + "recordroute/api/v1";
}

function apiHeaders(endpoint) {
  const headers = {};
  if (endpoint && endpoint.api) {
    if (endpoint.token) headers.Authorization = "Bearer " + endpoint.token;
    return headers;
  }
  const token = pageConfig().token;
  if (token) headers.Authorization = "token " + token;
  const xsrf = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  if (xsrf) headers["X-XSRFToken"] = decodeURIComponent(xsrf[1]);
  return headers;
}

class ApiError extends Error {
  constructor(status, code, message, fix) {
    super(message);
    this.status = status;
    this.code = code;
    this.fix = fix || "";
  }
}

function apiError(status, text) {
  try {
    const body = JSON.parse(text);
    if (body && body.error) {
      return new ApiError(status, body.error.code, body.error.message, body.error.fix);
    }
  } catch (e) {
    /* not our JSON: fall through */
  }
  return new ApiError(status, "http_" + status, "HTTP " + status, "");
}

// One request; resolves with the parsed JSON (or null), rejects with ApiError (status 0:
// the connection failed).  ``onProgress(loaded)`` follows the body as it is sent.
function request(endpoint, method, path, { json, body, onProgress, track } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    if (track) track(xhr);
    xhr.open(method, apiBase(endpoint) + "/" + path);
    const headers = apiHeaders(endpoint);
    for (const name of Object.keys(headers)) xhr.setRequestHeader(name, headers[name]);
    let payload = body;
    if (json !== undefined) {
      xhr.setRequestHeader("Content-Type", "application/json");
      payload = JSON.stringify(json);
    } else if (body !== undefined) {
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
    }
    if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null);
      } else {
        reject(apiError(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "connection lost", ""));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "aborted", ""));
    xhr.send(payload === undefined ? null : payload);
  });
}

// -- small helpers ---------------------------------------------------------------------------
function tag(name, className, text) {
  const el = document.createElement(name);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function say(labels, key, values) {
  let text = (labels && labels[key]) || key;
  for (const [name, value] of Object.entries(values || {})) {
    text = text.split("{" + name + "}").join(String(value));
  }
  return text;
}

function bytes(n) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? value + " B" : value.toFixed(1) + " " + units[unit];
}

function clock(seconds) {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// -- the uploader ------------------------------------------------------------------------------
function renderUploader(model, el) {
  el.classList.add("rr-uploader");
  const labels = () => model.get("labels") || {};
  const endpoint = () => model.get("endpoint") || {};
  const items = [];
  let job = null; // {steps, options, tags} once started

  const zone = tag("div", "rr-upl-drop");
  const input = tag("input");
  input.type = "file";
  input.multiple = true;
  input.accept = model.get("accept") || "";
  input.style.display = "none";
  const pick = tag("button", "rr-upl-pick jupyter-button");
  const hint = tag("span", "rr-upl-hint");
  const list = tag("div", "rr-upl-list");
  zone.append(pick, hint, input);
  el.append(zone, list);

  function relabel() {
    pick.textContent = say(labels(), "pick") + (pending() ? " (" + pending() + ")" : "");
    hint.textContent = say(labels(), "drop");
    for (const item of items) item.draw();
  }
  const pending = () => items.filter((i) => i.state === "ready").length;
  function countPending() {
    model.set("pending", pending());
    model.save_changes();
    relabel();
  }

  function add(files) {
    for (let i = items.length - 1; i >= 0; i -= 1) {
      if (["done", "cancelled"].includes(items[i].state)) {
        items[i].row.remove();
        items.splice(i, 1);
      }
    }
    for (const file of files) items.push(new Upload(file));
    countPending();
    if (model.get("auto_start")) start(model.get("auto_job") || {});
  }

  pick.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    add(Array.from(input.files || []));
    input.value = "";
  });
  // dropping works on the widget and on the whole Upload tab around it
  const area = () => el.closest(".rr-upload") || zone;
  const inside = (event) => area().contains(event.target) || zone.contains(event.target);
  const over = (event) => {
    if (!inside(event) || !event.dataTransfer || !event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    area().classList.add("rr-upl-over");
  };
  const leave = () => area().classList.remove("rr-upl-over");
  const drop = (event) => {
    leave();
    if (!inside(event) || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    add(Array.from(event.dataTransfer.files));
  };
  document.addEventListener("dragover", over);
  document.addEventListener("dragleave", leave);
  document.addEventListener("drop", drop);

  function start(next) {
    job = next;
    for (const item of items) if (item.state === "ready") item.state = "waiting";
    countPending();
    pump();
  }
  function pump() {
    const limit = Math.max(1, model.get("concurrency") || 2);
    let running = items.filter((i) => i.busy).length;
    for (const item of items) {
      if (running >= limit) break;
      if (item.state === "waiting") {
        running += 1;
        item.run(job).finally(pump);
      }
    }
  }

  class Upload {
    constructor(file) {
      this.file = file;
      this.state = "ready";
      this.busy = false;
      this.sent = 0; // bytes the server holds plus what is on its way
      this.posted = 0; // every body byte this browser put on the wire
      this.resumes = 0;
      this.resumedFrom = -1;
      this.samples = [];
      this.note = "";
      this.error = null;
      this.xhr = null;
      this.session = null;
      this.row = tag("div", "rr-upl-row");
      this.name = tag("span", "rr-upl-name", file.name);
      this.bar = tag("div", "rr-upl-bar");
      this.fill = tag("div", "rr-upl-fill");
      this.bar.append(this.fill);
      this.text = tag("span", "rr-upl-text");
      this.cancel = tag("button", "rr-upl-cancel jupyter-button");
      this.cancel.addEventListener("click", () => this.stop());
      this.message = tag("div", "rr-upl-message");
      const top = tag("div", "rr-upl-top");
      top.append(this.name, this.bar, this.text, this.cancel);
      this.row.append(top, this.message);
      list.append(this.row);
      this.draw();
    }

    get key() {
      const f = this.file;
      return ["rr-upload", apiBase(endpoint()), f.name, f.size, f.lastModified].join("|");
    }

    speed() {
      const now = performance.now();
      this.samples.push([now, this.sent]);
      while (this.samples.length > 2 && now - this.samples[0][0] > 3000) this.samples.shift();
      const [t0, b0] = this.samples[0];
      return now - t0 > 250 ? ((this.sent - b0) * 1000) / (now - t0) : 0;
    }

    draw() {
      const size = this.file.size;
      const ls = labels();
      this.row.className = "rr-upl-row rr-upl-" + this.state;
      const data = this.row.dataset;
      data.state = this.state;
      data.sent = String(this.sent);
      data.size = String(size);
      data.posted = String(this.posted);
      data.resumes = String(this.resumes);
      data.resumedFrom = String(this.resumedFrom);
      if (this.session) data.upload = this.session.id;
      const share = size ? Math.min(1, this.sent / size) : 1;
      this.fill.style.width = (share * 100).toFixed(1) + "%";
      const parts = [bytes(this.sent) + " / " + bytes(size)];
      if (this.state === "uploading") {
        const rate = this.speed();
        if (rate > 0) {
          parts.push(bytes(rate) + "/s");
          parts.push(say(ls, "left", { time: clock((size - this.sent) / rate) }));
        }
      }
      parts.push(say(ls, "state." + this.state, { seconds: this.wait || 0 }));
      this.text.textContent = parts.join(" · ");
      this.cancel.textContent = say(ls, "cancel");
      this.cancel.disabled = ["done", "failed", "cancelled"].includes(this.state);
      this.message.textContent = "";
      this.message.className = "rr-upl-message";
      if (this.error) {
        this.message.className = "rr-upl-message rr-error";
        const strong = tag("b", "", this.error.message);
        this.message.append(strong);
        if (this.error.fix) this.message.append(tag("div", "rr-error-fix", this.error.fix));
      } else if (this.note) {
        this.message.textContent = this.note;
      }
    }

    async stop() {
      const before = this.state;
      this.state = "cancelled";
      if (this.xhr) this.xhr.abort();
      localStorage.removeItem(this.key);
      this.draw();
      if (before === "ready") {
        this.row.remove();
        items.splice(items.indexOf(this), 1);
        countPending();
        return;
      }
      if (this.session && before !== "done") {
        try {
          await request(endpoint(), "DELETE", "uploads/sessions/" + this.session.id);
        } catch (e) {
          /* it ended or expired meanwhile: nothing left to remove */
        }
      }
    }

    async open(job) {
      const saved = localStorage.getItem(this.key);
      if (saved) {
        try {
          const session = await request(endpoint(), "GET", "uploads/sessions/" + saved);
          if (session.state === "open" && session.size_bytes === this.file.size) {
            this.resumes += 1;
            this.resumedFrom = session.received_bytes;
            this.note = say(labels(), "resumed", { size: bytes(session.received_bytes) });
            return session;
          }
        } catch (e) {
          /* gone: start afresh */
        }
        localStorage.removeItem(this.key);
      }
      const session = await request(endpoint(), "POST", "uploads/sessions", {
        json: {
          file_name: this.file.name,
          size: this.file.size,
          steps: job.steps === undefined ? null : job.steps,
          options: job.options || {},
          tags: job.tags || [],
        },
      });
      localStorage.setItem(this.key, session.id);
      return session;
    }

    async where() {
      return request(endpoint(), "GET", "uploads/sessions/" + this.session.id);
    }

    async run(job) {
      this.busy = true;
      this.state = "uploading";
      this.draw();
      try {
        this.session = await this.open(job);
        let offset = this.session.received_bytes;
        this.sent = offset;
        const piece = model.get("chunk_bytes") || this.session.chunk_bytes;
        let failures = 0;
        while (offset < this.file.size) {
          if (this.state === "cancelled") return;
          const end = Math.min(this.file.size, offset + piece);
          let before = 0;
          try {
            const reply = await request(
              endpoint(),
              "POST",
              "uploads/sessions/" + this.session.id + "/chunks?offset=" + offset,
              {
                body: this.file.slice(offset, end),
                track: (xhr) => (this.xhr = xhr),
                onProgress: (loaded) => {
                  this.posted += loaded - before;
                  before = loaded;
                  this.sent = offset + loaded;
                  this.draw();
                },
              }
            );
            offset = reply.received_bytes;
            this.sent = offset;
            failures = 0;
            if (this.state === "retrying") this.state = "uploading";
          } catch (err) {
            if (this.state === "cancelled") return;
            if (err.status === 404) throw err; // expired: handled below
            const refused = err.status >= 400 && err.status < 500 && err.status !== 408;
            if (refused && err.code !== "upload_offset" && err.code !== "conflict") throw err;
            // the connection dropped (or the server was busy): wait, ask, go on
            failures += 1;
            if (err.code === "conflict") await sleep(1000); // the old request is winding up
            if (err.status === 0 || err.status >= 500) {
              this.state = "retrying";
              this.wait = Math.min(15, 2 ** Math.min(failures - 1, 4));
              this.draw();
              await sleep(this.wait * 1000);
              if (this.state === "cancelled") return;
            }
            const session = await this.ask();
            offset = session.received_bytes;
            this.sent = offset;
            this.resumes += 1;
            this.resumedFrom = offset;
            this.note = say(labels(), "resumed", { size: bytes(offset) });
            this.state = "uploading";
            this.draw();
          }
        }
        this.state = "finishing";
        this.draw();
        const done = await this.finish();
        localStorage.removeItem(this.key);
        this.state = "done";
        this.sent = this.file.size;
        this.note = say(labels(), done.job ? "queued" : "stored");
        this.draw();
        model.send({
          event: "finished",
          name: this.file.name,
          upload_id: this.session.id,
          recording_id: done.recording.id,
          job_id: done.job ? done.job.id : null,
        });
      } catch (err) {
        if (this.state === "cancelled") return;
        if (err.status === 404 && this.session && !this.restarted) {
          // the server no longer has the partial upload (it expired): start again once
          localStorage.removeItem(this.key);
          this.restarted = true;
          this.session = null;
          this.note = say(labels(), "restarted");
          this.busy = false;
          return this.run(job);
        }
        this.state = "failed";
        this.error = err.status === 0 ? this.unreachable() : err;
        if (err.code === "duplicate") localStorage.removeItem(this.key);
        this.draw();
        model.send({
          event: "failed",
          name: this.file.name,
          code: this.error.code || "",
          message: this.error.message,
          fix: this.error.fix || "",
        });
      } finally {
        this.busy = false;
        this.xhr = null;
      }
    }

    // where the upload stands, asking until the server answers again
    async ask() {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.where();
        } catch (err) {
          if (this.state === "cancelled" || err.status === 404) throw err;
          if (err.status !== 0 && err.status < 500) throw err;
          this.state = "retrying";
          this.wait = Math.min(15, 2 ** Math.min(attempt, 4));
          this.draw();
          await sleep(this.wait * 1000);
          if (attempt > 80) throw err; // about 20 minutes without the server
        }
      }
    }

    async finish() {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await request(endpoint(), "POST", "uploads/sessions/" + this.session.id + "/finish");
        } catch (err) {
          if (err.status !== 0 || attempt > 40) throw err;
          await sleep(Math.min(15000, 1000 * attempt)); // finishing twice is safe
        }
      }
    }

    unreachable() {
      return new ApiError(
        0,
        "unreachable",
        say(labels(), "unreachable", { url: apiBase(endpoint()) }),
        say(labels(), "unreachable.fix")
      );
    }
  }

  model.on("msg:custom", (message) => {
    if (message && message.action === "start") start(message);
  });
  model.on("change:labels", relabel);
  relabel();
  return () => {
    document.removeEventListener("dragover", over);
    document.removeEventListener("dragleave", leave);
    document.removeEventListener("drop", drop);
  };
}

// -- the transcript player ------------------------------------------------------------------------
const BLOCK = 50; // lines drawn together; blocks far from view are not drawn at all
const LINE_PX = 24; // a first guess of a line's height, until a block is drawn

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

function renderPlayer(model, el) {
  el.classList.add("rr-player");
  const labels = () => model.get("labels") || {};
  const stage = tag("div", "rr-player-media");
  const problem = tag("div", "rr-player-error");
  const hint = tag("div", "rr-hint");
  const box = tag("div", "rr-viewer-transcript");
  const scroller = tag("div", "rr-lines");
  box.append(scroller);
  el.append(stage, problem, hint, box);
  let media = null;
  let segments = [];
  let starts = [];
  let blocks = [];
  let current = -1;
  let userScrolled = 0;
  let renewedAt = 0;
  let observer = null;

  function lineHtml(i) {
    const [start, , text, speaker] = segments[i];
    let body = escapeHtml(text);
    if (speaker) {
      const colour = (model.get("speakers") || {})[speaker] || "#555";
      body = '<b class="rr-speaker" style="color:' + escapeHtml(colour) + '">' +
        escapeHtml(speaker) + "</b> " + body;
    }
    if (!model.get("timed")) return '<p class="rr-line rr-line-plain">' + body + "</p>";
    const now = i === current ? " rr-line-current" : "";
    return (
      '<div class="rr-line' + now + '" data-i="' + i + '" data-start="' + start.toFixed(2) +
      '"><span class="rr-time">' + clock(start) + "</span> " + body + "</div>"
    );
  }

  function draw(b) {
    const block = blocks[b];
    if (!block || block.dataset.drawn) return block;
    const end = Math.min(segments.length, (b + 1) * BLOCK);
    let html = "";
    for (let i = b * BLOCK; i < end; i += 1) html += lineHtml(i);
    block.innerHTML = html;
    block.style.minHeight = "";
    block.dataset.drawn = "1";
    return block;
  }

  function lines() {
    if (observer) observer.disconnect();
    segments = model.get("segments") || [];
    starts = segments.map((s) => s[0]);
    current = -1;
    scroller.textContent = "";
    blocks = [];
    el.dataset.lines = String(segments.length);
    if (!segments.length) {
      scroller.append(tag("i", "rr-no-lines", say(labels(), "no_transcript")));
      return;
    }
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) if (entry.isIntersecting) draw(Number(entry.target.dataset.b));
      },
      { root: scroller, rootMargin: "800px 0px" }
    );
    for (let b = 0; b * BLOCK < segments.length; b += 1) {
      const block = tag("div", "rr-block");
      block.dataset.b = String(b);
      const count = Math.min(BLOCK, segments.length - b * BLOCK);
      let guess = 0;
      for (let i = b * BLOCK; i < b * BLOCK + count; i += 1) {
        guess += LINE_PX * Math.max(1, Math.ceil(segments[i][2].length / 90));
      }
      block.style.minHeight = guess + "px";
      blocks.push(block);
      scroller.append(block);
      observer.observe(block);
    }
    draw(0);
    el.dataset.ready = String(Date.now());
  }

  function lineAt(seconds) {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= seconds + 0.05) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  function lineEl(i) {
    const block = draw(Math.floor(i / BLOCK));
    return block ? block.querySelector('[data-i="' + i + '"]') : null;
  }

  function mark(i, { scroll }) {
    if (!model.get("timed") || i === current) {
      if (scroll && i >= 0) show(i);
      return;
    }
    const old = current >= 0 ? lineEl(current) : null;
    if (old) old.classList.remove("rr-line-current");
    current = i;
    el.dataset.current = String(i);
    const now = i >= 0 ? lineEl(i) : null;
    if (now) now.classList.add("rr-line-current");
    if (scroll && i >= 0) show(i);
  }

  let hiddenShow = -1; // a line to bring into view once the list is visible
  function show(i) {
    const line = lineEl(i);
    if (!line) return;
    if (!scroller.clientHeight) {
      hiddenShow = i; // in a tab not shown yet: scroll when it appears
      return;
    }
    hiddenShow = -1;
    const top = line.offsetTop; // the list is the lines' offset parent
    const seen = scroller.scrollTop;
    if (top < seen || top > seen + scroller.clientHeight - line.offsetHeight) {
      scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 3);
    }
  }
  const resized = new ResizeObserver(() => {
    if (hiddenShow >= 0 && scroller.clientHeight) show(hiddenShow);
  });
  resized.observe(scroller);

  function source() {
    const info = model.get("media");
    stage.textContent = "";
    problem.textContent = "";
    hint.textContent = "";
    media = null;
    if (!info || !info.url) return;
    media = tag(info.kind === "video" ? "video" : "audio", "rr-media");
    media.controls = true;
    media.preload = "metadata";
    media.src = apiBase(model.get("endpoint")) + "/" + info.url;
    const resume = info.at;
    media.addEventListener("loadedmetadata", () => {
      const at = resume !== undefined && resume !== null ? resume : pendingSeek;
      if (at !== null && at !== undefined) media.currentTime = at;
      pendingSeek = null;
    });
    media.addEventListener("timeupdate", () => {
      el.dataset.time = media.currentTime.toFixed(2);
      const follow = Date.now() - userScrolled > 4000;
      mark(lineAt(media.currentTime), { scroll: follow && !media.paused });
    });
    media.addEventListener("error", () => {
      const now = Date.now();
      if (now - renewedAt > 30000) {
        renewedAt = now; // a link may have run out: ask the kernel for a fresh one, once
        model.send({ event: "renew", t: media.currentTime || 0 });
      }
      problem.textContent = say(labels(), "media_error", { url: apiBase(model.get("endpoint")) });
      problem.className = "rr-player-error rr-error";
    });
    media.addEventListener("playing", () => {
      problem.textContent = "";
      problem.className = "rr-player-error";
    });
    stage.append(media);
    hint.textContent = say(labels(), "click_hint");
  }

  let pendingSeek = null;
  function seek(seconds, play) {
    if (!media) return;
    if (media.readyState >= 1) media.currentTime = seconds;
    else pendingSeek = seconds;
    if (play) media.play().catch(() => {});
  }

  function cue() {
    const c = model.get("cue") || {};
    if (c.t === null || c.t === undefined) return;
    const i = lineAt(c.t);
    mark(i, { scroll: true });
    seek(c.t, false);
  }

  scroller.addEventListener("click", (event) => {
    const line = event.target.closest(".rr-line[data-start]");
    if (!line) return;
    const i = Number(line.dataset.i);
    mark(i, { scroll: false });
    seek(Number(line.dataset.start), true);
  });
  scroller.addEventListener("wheel", () => (userScrolled = Date.now()), { passive: true });
  scroller.addEventListener("touchmove", () => (userScrolled = Date.now()), { passive: true });

  model.on("change:segments", () => {
    lines();
    cue();
  });
  model.on("change:media", source);
  model.on("change:cue", cue);
  model.on("change:show_lines", () => (box.style.display = model.get("show_lines") ? "" : "none"));
  model.on("change:labels", () => {
    if (media) hint.textContent = say(labels(), "click_hint");
    if (!segments.length) lines();
  });
  box.style.display = model.get("show_lines") ? "" : "none";
  source();
  lines();
  cue();
  return () => {
    if (observer) observer.disconnect();
    resized.disconnect();
  };
}

export default {
  render({ model, el }) {
    return model.get("component") === "player" ? renderPlayer(model, el) : renderUploader(model, el);
  },
};
