-- A three-class text target: probabilities, the most likely class, and the error
-- of the binary/regression-only ubehav_predict.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(9);

SELECT setseed(0.66);
CREATE TEMP TABLE customers AS
SELECT orders, recency,
       CASE WHEN orders * (1 - recency) > 4 THEN 'vip'
            WHEN orders > 2 THEN 'regular'
            ELSE 'casual' END AS segment
FROM (SELECT random() * 10 AS orders, random() AS recency FROM generate_series(1, 3000)) g;

CREATE TEMP TABLE summary AS
SELECT ubehav_train('segment', 'SELECT orders, recency, segment FROM customers', 'segment',
                    '{"seed": 4, "epochs": 15, "hidden": [32]}') AS s;

SELECT is((SELECT s->>'task' FROM summary), 'multiclass', 'a text target with 3 values is multiclass');
SELECT is((SELECT array_length(class_labels, 1) FROM ubehav_models WHERE name = 'segment' AND deployed), 3,
          'the catalog lists the 3 class labels');
SELECT is((SELECT count(*) FROM customers c
           WHERE array_length(ubehav_predict_proba('segment', c), 1) <> 3),
          0::bigint, 'ubehav_predict_proba returns 3 probabilities for every row');
SELECT is((SELECT count(*) FROM customers c
           WHERE abs((SELECT sum(p) FROM unnest(ubehav_predict_proba('segment', c)) p) - 1) > 1e-6),
          0::bigint, 'the probabilities sum to 1');
SELECT is((SELECT count(*) FROM customers c
           WHERE ubehav_predict_class('segment', c) NOT IN ('vip', 'regular', 'casual')),
          0::bigint, 'ubehav_predict_class returns one of the labels');
SELECT cmp_ok((SELECT avg((ubehav_predict_class('segment', c) = segment)::int)::float8 FROM customers c),
              '>=', 0.85::float8, 'the predicted class is right for >= 85% of rows');
SELECT is((SELECT count(*) FROM customers c
           WHERE ubehav_predict_class('segment', c) IS DISTINCT FROM
                 (SELECT class_labels[(SELECT i FROM unnest(ubehav_predict_proba('segment', c)) WITH ORDINALITY u(p, i)
                                       ORDER BY p DESC, i LIMIT 1)]
                  FROM ubehav_models WHERE name = 'segment' AND deployed)),
          0::bigint, 'the class is the label of the largest probability (class_labels order)');
SELECT is(ubehav_predict_class('segment', ARRAY[9.5, 0.05]), 'vip', 'array input: many recent orders is vip');
SELECT throws_ok($$SELECT ubehav_predict('segment', ARRAY[1.0, 0.5])$$, '42809', NULL,
                 'ubehav_predict on a multiclass model is an error (wrong_object_type)');

SELECT * FROM finish();
ROLLBACK;
