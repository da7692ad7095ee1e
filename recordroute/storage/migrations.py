"""The library database's numbered migrations; never edit a released one, append a new one."""

from __future__ import annotations

from ..sqlite import Migration

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


# A stamp that changes with every write to what a recording listing shows (recordings,
# tags, artifacts, aliases), in any process: read models are cached against it and
# HTTP clients revalidate with it (ETag).
MIGRATION_3 = """
CREATE TABLE change_stamps (
    area  TEXT PRIMARY KEY,
    stamp INTEGER NOT NULL
);
INSERT INTO change_stamps (area, stamp) VALUES ('library', 1);
-- tells two databases apart (a data folder restored from a backup starts a new epoch)
INSERT INTO change_stamps (area, stamp) VALUES ('epoch', abs(random()));
""" + "".join(
    f"""
CREATE TRIGGER {table}_{event.lower()}_stamp AFTER {event} ON {table} BEGIN
    UPDATE change_stamps SET stamp = stamp + 1 WHERE area = 'library';
END;
"""
    for table in ("recordings", "recording_tags", "artifacts", "artifact_aliases")
    for event in ("INSERT", "UPDATE", "DELETE")
)

# Voice profiles: a person and the voice vectors they were recognised by (several each,
# from different recordings).  Deleting a person deletes their vectors (no soft delete:
# a voice is biometric data, and a user who removes it expects it gone).
MIGRATION_4 = """
CREATE TABLE voice_people (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE voice_vectors (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES voice_people (id) ON DELETE CASCADE,
    recording_id TEXT REFERENCES recordings (id) ON DELETE SET NULL,
    label        TEXT NOT NULL DEFAULT '',
    model        TEXT NOT NULL,
    vector       BLOB NOT NULL,
    seconds      REAL NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
CREATE INDEX voice_vectors_person ON voice_vectors (person_id);
CREATE UNIQUE INDEX voice_vectors_source ON voice_vectors (recording_id, label)
    WHERE recording_id IS NOT NULL;
"""

# Summary templates: custom ones (checked JSON, written by the summaries service), and
# which template a tag or a recording uses by default.
MIGRATION_5 = """
CREATE TABLE summary_templates (
    name       TEXT PRIMARY KEY,
    body       TEXT NOT NULL CHECK (json_valid(body)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE tag_templates (
    tag      TEXT PRIMARY KEY,
    template TEXT NOT NULL
);
CREATE TABLE recording_templates (
    recording_id TEXT PRIMARY KEY REFERENCES recordings (id) ON DELETE CASCADE,
    template     TEXT NOT NULL
);
"""

# Questions asked of the archive: a conversation (optionally scoped to one recording)
# and its turns, each answer stored whole as JSON (its sentences and citations).
MIGRATION_6 = """
CREATE TABLE conversations (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    recording_id TEXT REFERENCES recordings (id) ON DELETE CASCADE,
    filters      TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX conversations_updated ON conversations (updated_at);
CREATE TABLE conversation_turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    ordinal         INTEGER NOT NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (conversation_id, ordinal)
);
"""

# Resumable uploads: one row per upload in progress (its bytes are a part file in tmp/),
# kept after the end with what came of it, so that a repeated "finish" gets the same answer.
MIGRATION_7 = """
CREATE TABLE upload_sessions (
    id           TEXT PRIMARY KEY,
    file_name    TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    tags         TEXT NOT NULL DEFAULT '[]',
    steps        TEXT,
    options      TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL CHECK (state IN ('open', 'committing', 'finished')),
    sha256       TEXT NOT NULL DEFAULT '',
    recording_id TEXT,
    job_id       TEXT,
    duplicate_of TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX upload_sessions_updated ON upload_sessions (state, updated_at);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "recordings, artifacts, jobs, legacy sources", MIGRATION_1),
    Migration(2, "resumable jobs and keywords", MIGRATION_2),
    Migration(3, "change stamps for cached read models", MIGRATION_3),
    Migration(4, "voice profiles", MIGRATION_4),
    Migration(5, "summary templates, per tag and per recording", MIGRATION_5),
    Migration(6, "conversations with the archive", MIGRATION_6),
    Migration(7, "resumable upload sessions", MIGRATION_7),
)
