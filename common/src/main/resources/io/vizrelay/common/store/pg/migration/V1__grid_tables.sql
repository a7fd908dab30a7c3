-- The PostgreSQL tier behind the grid: the registry, and each task's stream (frames and snapshots).

-- One row per task of the registry: the TaskRecord as JSON (meta, status, stop request,
-- shared_with, seq, epoch, ...), written through by the grid registry's MapStore.
CREATE TABLE registry (
  task_id    text PRIMARY KEY,
  record     bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The life of a task's stream: its epoch and the last seq committed.
CREATE TABLE streams (
  task_id  text PRIMARY KEY,
  epoch    text NOT NULL,
  last_seq bigint NOT NULL
);

-- Every numbered frame of a stream, written in seq order by the task's partition owner.
CREATE TABLE frames (
  task_id text NOT NULL,
  epoch   text NOT NULL,
  seq     bigint NOT NULL,
  env     text,
  at_ms   bigint NOT NULL,
  visdom  bytea NOT NULL,
  compact bytea,
  PRIMARY KEY (task_id, epoch, seq)
);

-- The latest state of a stream at a seq: loading a task replays only the frames after it.
CREATE TABLE snapshots (
  task_id text PRIMARY KEY,
  epoch   text NOT NULL,
  seq     bigint NOT NULL,
  state   bytea NOT NULL
);
