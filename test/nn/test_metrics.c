/* test_metrics.c: every metric on small examples worked out by hand. */
#include "nn/metrics.h"
#include "tap.h"

int
main(void)
{
	NnScoredLabel scratch[8];
	NnBinaryMetrics bm;
	NnMulticlassMetrics mm;
	NnRegressionMetrics rm;
	size_t		counts[3 * 4];

	/*
	 * AUC with a tie. Positives score {0.35, 0.8, 0.4}, negatives {0.1, 0.4}.
	 * Pairs positive > negative: 0.35: 1 (0.1), 0.8: 2, 0.4: 1 (0.1) + 1/2 (tie with 0.4) = 4.5 of 6.
	 * Midranks: 0.1 -> 1, 0.35 -> 2, 0.4 0.4 -> 3.5, 0.8 -> 5; R+ = 10.5, U = 10.5 - 6 = 4.5.
	 * AUC = 4.5 / 6 = 3/4.
	 */
	{
		const float score[5] = {0.1f, 0.4f, 0.35f, 0.8f, 0.4f};
		const float label[5] = {0, 0, 1, 1, 1};
		const float one_class[5] = {1, 1, 1, 1, 1};
		const float all_tied[4] = {0.5f, 0.5f, 0.5f, 0.5f};
		const float mixed[4] = {0, 1, 0, 1};

		is_close(nn_auc(score, label, 5, scratch), 0.75, 1e-12, "auc with a tie is 3/4");
		ok(isnan(nn_auc(score, one_class, 5, scratch)), "auc is NaN with one class");
		ok(isnan(nn_auc(score, label, 0, scratch)), "auc is NaN with no rows");
		is_close(nn_auc(all_tied, mixed, 4, scratch), 0.5, 1e-12, "auc of all-tied scores is 1/2");
	}

	/*
	 * Binary at threshold 0.5: p = [0.9, 0.6, 0.4, 0.2, 0.7, 0.1], y = [1, 0, 1, 0, 1, 0]
	 * tp = 2 (0.9, 0.7), fp = 1 (0.6), fn = 1 (0.4), tn = 2 (0.2, 0.1)
	 * accuracy 4/6, precision 2/3, recall 2/3, f1 2/3,
	 * log loss = -(ln .9 + ln .4 + ln .4 + ln .8 + ln .7 + ln .9) / 6,
	 * auc: 0.9 and 0.7 beat all 3 negatives, 0.4 beats 2: 8/9.
	 */
	{
		const float p[6] = {0.9f, 0.6f, 0.4f, 0.2f, 0.7f, 0.1f};
		const float y[6] = {1, 0, 1, 0, 1, 0};
		/* computed from the float values so only the formula is under test */
		double		expected_log_loss = -(log((double) 0.9f) + log(1.0 - (double) 0.6f) +
										  log((double) 0.4f) + log(1.0 - (double) 0.2f) +
										  log((double) 0.7f) + log(1.0 - (double) 0.1f)) / 6.0;
		const float p_extreme[2] = {0.0f, 1.0f};
		const float y_extreme[2] = {1, 1};

		nn_binary_metrics(p, y, 6, 0.5, scratch, &bm);
		is_close(bm.accuracy, 4.0 / 6.0, 1e-12, "binary accuracy 4/6");
		is_close(bm.precision, 2.0 / 3.0, 1e-12, "binary precision 2/3");
		is_close(bm.recall, 2.0 / 3.0, 1e-12, "binary recall 2/3");
		is_close(bm.f1, 2.0 / 3.0, 1e-12, "binary f1 2/3");
		is_close(bm.log_loss, expected_log_loss, 1e-9, "binary log loss");
		is_close(bm.log_loss, 0.4371868317, 1e-6, "binary log loss ~ 0.4371868 (python3)");
		is_close(bm.auc, 8.0 / 9.0, 1e-12, "binary auc 8/9");

		nn_binary_metrics(p, y, 6, 0.95, scratch, &bm);
		is_close(bm.precision, 0.0, 0.0, "precision 0 when nothing is predicted positive");
		is_close(bm.recall, 0.0, 0.0, "recall 0 when nothing is predicted positive");
		is_close(bm.f1, 0.0, 0.0, "f1 0 when precision and recall are 0");
		is_close(bm.accuracy, 0.5, 1e-12, "accuracy 1/2 at threshold 0.95");

		/* p = 0 for a positive is clipped to 1e-15; p = 1 costs nothing (clipped to 1 - 1e-15) */
		nn_binary_metrics(p_extreme, y_extreme, 2, 0.5, scratch, &bm);
		is_close(bm.log_loss, (-log(1e-15) - log(1.0 - 1e-15)) / 2.0, 1e-9, "log loss clips to 1e-15");
		ok(isnan(bm.auc), "auc NaN when all labels are positive");
	}

	/*
	 * Multiclass K = 3:
	 *   [0.7 0.2 0.1] y0 -> 0 right    [0.1 0.8 0.1] y1 -> 1 right    [0.2 0.3 0.5] y1 -> 2 wrong
	 *   [0.6 0.3 0.1] y2 -> 0 wrong    [0.3 0.3 0.4] y2 -> 2 right
	 * accuracy 3/5; per class (tp, predicted, actual): 0 (1,2,1), 1 (1,1,2), 2 (1,2,2)
	 * f1 = 2 tp / (predicted + actual): 2/3, 2/3, 1/2; macro = 11/18
	 * log loss = -(ln .7 + ln .8 + ln .3 + ln .1 + ln .4) / 5
	 */
	{
		const float probs[15] = {
			0.7f, 0.2f, 0.1f,
			0.1f, 0.8f, 0.1f,
			0.2f, 0.3f, 0.5f,
			0.6f, 0.3f, 0.1f,
			0.3f, 0.3f, 0.4f,
		};
		const float y[5] = {0, 1, 1, 2, 2};
		/* the same with a fourth class that never occurs: it must not dilute the macro mean */
		const float probs4[20] = {
			0.7f, 0.2f, 0.1f, 0.0f,
			0.1f, 0.8f, 0.1f, 0.0f,
			0.2f, 0.3f, 0.5f, 0.0f,
			0.6f, 0.3f, 0.1f, 0.0f,
			0.3f, 0.3f, 0.4f, 0.0f,
		};
		double		expected_log_loss = -(log((double) 0.7f) + log((double) 0.8f) +
										  log((double) 0.3f) + log((double) 0.1f) +
										  log((double) 0.4f)) / 5.0;

		nn_multiclass_metrics(probs, y, 5, 3, counts, &mm);
		is_close(mm.accuracy, 0.6, 1e-12, "multiclass accuracy 3/5");
		is_close(mm.macro_f1, 11.0 / 18.0, 1e-12, "multiclass macro f1 11/18");
		is_close(mm.log_loss, expected_log_loss, 1e-9, "multiclass log loss");
		nn_multiclass_metrics(probs4, y, 5, 4, counts, &mm);
		is_close(mm.macro_f1, 11.0 / 18.0, 1e-12, "absent class is left out of macro f1");
		is_close(mm.accuracy, 0.6, 1e-12, "multiclass accuracy with an absent class");
	}

	/*
	 * Regression: pred [2.5, 0, 2, 8], y [3, -0.5, 2, 7]; errors [-0.5, 0.5, 0, 1]
	 * mae = 2/4 = 0.5, mse = 1.5/4 = 0.375, rmse = sqrt(0.375)
	 * mean y = 2.875, SS_tot = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875
	 * r2 = 1 - 1.5 / 29.1875 = 0.94860813704...
	 */
	{
		const float pred[4] = {2.5f, 0.0f, 2.0f, 8.0f};
		const float y[4] = {3.0f, -0.5f, 2.0f, 7.0f};
		const float constant[4] = {1.0f, 1.0f, 1.0f, 1.0f};

		nn_regression_metrics(pred, y, 4, &rm);
		is_close(rm.mae, 0.5, 1e-12, "mae 0.5");
		is_close(rm.rmse, sqrt(0.375), 1e-12, "rmse sqrt(0.375)");
		is_close(rm.r2, 1.0 - 1.5 / 29.1875, 1e-12, "r2 1 - 1.5/29.1875");
		nn_regression_metrics(pred, constant, 4, &rm);
		ok(isnan(rm.r2), "r2 NaN when the labels are constant");
		is_close(rm.mae, (1.5 + 1.0 + 1.0 + 7.0) / 4.0, 1e-12, "mae against constant labels");
	}

	return done_testing();
}
