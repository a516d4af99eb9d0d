/* loss.h: output heads, each an output transform fused with its loss for a stable gradient. */
#ifndef UBEHAV_NN_LOSS_H
#define UBEHAV_NN_LOSS_H

typedef enum NnHead
{
	NN_HEAD_SIGMOID_BCE = 0,	/* binary: 1 logit, target 0 or 1 */
	NN_HEAD_SOFTMAX_CE,			/* multiclass: K logits, target a class index 0..K-1 stored as float */
	NN_HEAD_LINEAR_MSE,			/* regression: 1 output, any finite target */
	NN_HEAD_COUNT_
} NnHead;

/*
 * Mean loss over the batch of logits (B, K) against targets (B).
 * weights (B) may be NULL (all 1); the loss is sum(w_i * l_i) / B.
 * If dlogits is not NULL it receives d(loss)/d(logits), shape (B, K).
 * BCE and CE are computed from logits with log-sum-exp, so they never take log(0).
 * Per row: BCE l = log(1 + e^z) - z y; CE l = logsumexp(z) - z_y (a target that is not an
 * integer in 0..K-1 gives NaN); MSE l = (z - y)^2, so dlogits = 2 w (z - y) / B.
 * NaN for B < 1 or K < 1.
 */
double		nn_head_loss(NnHead head, const float *logits, const float *targets,
						 const float *weights, int B, int K, float *dlogits);

/* In place: logits (B, K) become probabilities (sigmoid, softmax) or stay values (linear). */
void		nn_head_output(NnHead head, float *logits, int B, int K);

#endif
