-- The store's schema as the release before migrations (commit 2034555, summarise/store.py SCHEMA) created it,
-- copied verbatim: tests/test_store_migrations.py makes an old store with it and opens it with this release.
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_hash TEXT,
    article_id TEXT,
    step TEXT,
    attempt INTEGER NOT NULL,
    request TEXT NOT NULL,
    response TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS calls_article ON calls (article_id);
CREATE TABLE IF NOT EXISTS briefs (
    cache_key TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    created REAL NOT NULL,
    brief TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_jobs (
    job TEXT PRIMARY KEY,
    created REAL NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    local INTEGER NOT NULL,
    inputs TEXT NOT NULL,
    built INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS batch_parts (
    job TEXT NOT NULL,
    part INTEGER NOT NULL,
    path TEXT NOT NULL,
    requests INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    file_id TEXT,
    batch_id TEXT,
    status TEXT,
    counts TEXT,
    output_file_id TEXT,
    error_file_id TEXT,
    ingested INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job, part)
);
CREATE TABLE IF NOT EXISTS batch_requests (
    job TEXT NOT NULL,
    custom_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    step TEXT NOT NULL,
    request_key TEXT NOT NULL,
    PRIMARY KEY (job, custom_id)
);
CREATE INDEX IF NOT EXISTS batch_requests_key ON batch_requests (job, request_key);
CREATE TABLE IF NOT EXISTS batch_results (
    job TEXT NOT NULL,
    custom_id TEXT NOT NULL,
    status_code INTEGER,
    body TEXT,
    error TEXT,
    PRIMARY KEY (job, custom_id)
);
CREATE TABLE IF NOT EXISTS schema_modes (
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    mode TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (endpoint, model)
);
CREATE TABLE IF NOT EXISTS batch_modes (
    job TEXT PRIMARY KEY,
    combined INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_articles (
    job TEXT NOT NULL,
    article_id TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    PRIMARY KEY (job, article_id)
);
