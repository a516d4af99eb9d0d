-- A backend that loads ubehav stays one thread: OpenBLAS is opened with one thread, so it starts no
-- thread pool, whose helper thread would spin for about 100 ms of CPU in every backend and parallel
-- worker and fight the other backends for cores. It is opened at the first BLAS call only: a backend
-- or parallel worker that only scores never pays its ~5 ms start. Linux: the threads are
-- /proc/<pid>/task, the mapped libraries /proc/<pid>/maps.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(6);

CREATE FUNCTION pg_temp.backend_threads() RETURNS bigint LANGUAGE sql AS
$$SELECT count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task')$$;
CREATE FUNCTION pg_temp.openblas_mapped() RETURNS boolean LANGUAGE sql AS
$$SELECT pg_read_file('/proc/' || pg_backend_pid() || '/maps') LIKE '%libopenblas%'$$;

SELECT setseed(0.17);
CREATE TEMP TABLE thr_data AS
SELECT ARRAY[random(), random()] AS f FROM generate_series(1, 300) i;
ALTER TABLE thr_data ADD COLUMN y boolean;
UPDATE thr_data SET y = f[1] > f[2];

SELECT is(pg_temp.backend_threads(), 1::bigint, 'the backend starts as one thread');
SELECT ubehav_train('threads', 'SELECT f, y FROM thr_data', 'y', '{"seed": 1, "epochs": 2, "hidden": [16, 8]}') IS NOT NULL;
SELECT count(ubehav_predict('threads', f)) FROM thr_data;
SELECT is(pg_temp.backend_threads(), 1::bigint, 'after training and scoring it is still one thread');
SELECT ok(NOT pg_temp.openblas_mapped(), 'training without PCA and scoring do not open OpenBLAS');
-- PCA's covariance (dsyrk) and eigensolver (dsyevd) are OpenBLAS calls
SELECT ubehav_train('threads_pca', 'SELECT f, y FROM thr_data', 'y', '{"seed": 1, "epochs": 2, "hidden": [16, 8], "pca": 1}') IS NOT NULL;
SELECT ok(pg_temp.openblas_mapped(), 'PCA opened OpenBLAS');
SELECT is(pg_temp.backend_threads(), 1::bigint, 'after BLAS calls it is still one thread');
SELECT count(ubehav_predict('threads_pca', f)) FROM thr_data;
SELECT is(pg_temp.backend_threads(), 1::bigint, 'after scoring it is still one thread');

SELECT * FROM finish();
ROLLBACK;
