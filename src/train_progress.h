/* train_progress.h: training progress in shared memory, for ubehav_stat_progress (another session). */
#ifndef UB_PROGRESS_H
#define UB_PROGRESS_H

typedef enum UbPhase
{
	UB_PHASE_READING = 1,
	UB_PHASE_ENCODING,
	UB_PHASE_TRAINING,
	UB_PHASE_VALIDATING,
	UB_PHASE_STORING
} UbPhase;

/* _PG_init: reserve the slots when ubehav is in shared_preload_libraries; otherwise a no-op. */
extern void ub_progress_init(void);

/*
 * Writers: each a few stores into this backend's slot, no-ops when progress is not enabled.
 * begin clears the slot and ties its lifetime to the current memory context, so an error that
 * ends the training also ends its row; end clears it on success.
 */
extern void ub_progress_begin(const char *function, const char *model);
extern void ub_progress_end(void);
extern void ub_progress_phase(UbPhase phase);
extern void ub_progress_rows(int64 done, int64 total);
extern void ub_progress_epoch(int epoch, int epochs);
extern void ub_progress_loss(double loss, const char *metric, double value);
extern void ub_progress_trial(int trial, int trials);
extern void ub_progress_fold(int fold, int folds);
extern void ub_progress_group(const char *group, int done, int total);

#endif
