-- A backend that loads ubehav stays one thread: the BLAS it links (serial OpenBLAS) starts no
-- thread pool, whose helper thread would spin for about 100 ms of CPU in every backend and parallel
-- worker and fight the other backends for cores. Linux: the threads are /proc/<pid>/task.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(3);

CREATE FUNCTION pg_temp.backend_threads() RETURNS bigint LANGUAGE sql AS
$$SELECT count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task')$$;

SELECT setseed(0.17);
CREATE TEMP TABLE thr_data AS
SELECT ARRAY[random(), random()] AS f FROM generate_series(1, 300) i;
ALTER TABLE thr_data ADD COLUMN y boolean;
UPDATE thr_data SET y = f[1] > f[2];

SELECT is(pg_temp.backend_threads(), 1::bigint, 'the backend starts as one thread');
SELECT ubehav_train('threads', 'SELECT f, y FROM thr_data', 'y', '{"seed": 1, "epochs": 2, "hidden": [16, 8]}') IS NOT NULL;
SELECT is(pg_temp.backend_threads(), 1::bigint, 'after training (through BLAS) it is still one thread');
SELECT count(ubehav_predict('threads', f)) FROM thr_data;
SELECT is(pg_temp.backend_threads(), 1::bigint, 'after scoring it is still one thread');

SELECT * FROM finish();
ROLLBACK;
