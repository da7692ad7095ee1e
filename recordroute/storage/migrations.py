"""Numbered schema migrations; never edit a released one, append a new one."""

from __future__ import annotations

MIGRATION_1 = """
CREATE TABLE recordings (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    original_name TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('audio', 'video', 'text', 'pdf', 'unknown')),
    duration_s    REAL,
    sha256        TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    deleted_at    TEXT,
    source        TEXT NOT NULL DEFAULT 'upload',
    legacy        TEXT
);
CREATE INDEX recordings_sha256 ON recordings (sha256) WHERE deleted_at IS NULL;
CREATE INDEX recordings_created ON recordings (created_at);

CREATE TABLE recording_tags (
    recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    PRIMARY KEY (recording_id, tag)
);
CREATE INDEX recording_tags_tag ON recording_tags (tag);

CREATE TABLE artifacts (
    id           TEXT PRIMARY KEY,
    recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    format       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    rel_path     TEXT NOT NULL UNIQUE,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    edited       INTEGER NOT NULL DEFAULT 0,
    meta         TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX artifacts_one_per_kind ON artifacts (recording_id, kind, format)
    WHERE kind NOT IN ('attachment', 'vector');
CREATE INDEX artifacts_recording ON artifacts (recording_id);

-- other ids that lead to an artifact (e.g. the original RecordRoute's file UUIDs)
CREATE TABLE artifact_aliases (
    alias       TEXT PRIMARY KEY,
    artifact_id TEXT NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE
);

CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    recording_id     TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    steps            TEXT NOT NULL,
    options          TEXT NOT NULL DEFAULT '{}',
    state            TEXT NOT NULL
                     CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    stage            TEXT NOT NULL DEFAULT '',
    percent          REAL NOT NULL DEFAULT 0,
    eta_s            REAL,
    error            TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    client_task_id   TEXT NOT NULL DEFAULT '',
    worker           TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    started_at       TEXT,
    finished_at      TEXT
);
CREATE INDEX jobs_state ON jobs (state, created_at);
CREATE INDEX jobs_recording ON jobs (recording_id);

-- every legacy file imported, verbatim, so an import never loses a field
CREATE TABLE legacy_sources (
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    source_dir  TEXT NOT NULL,
    content     TEXT NOT NULL,
    PRIMARY KEY (name, sha256)
);
"""


# Resumable jobs remember finished steps; keywords feed the archive vocabulary.
MIGRATION_2 = """
ALTER TABLE jobs ADD COLUMN steps_done TEXT NOT NULL DEFAULT '[]';
ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN not_before REAL NOT NULL DEFAULT 0;

CREATE TABLE keywords (
    recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    term         TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (recording_id, term)
);
CREATE INDEX keywords_term ON keywords (term);
"""

MIGRATIONS: tuple[str, ...] = (MIGRATION_1, MIGRATION_2)
