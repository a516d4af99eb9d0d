/*
 * train_progress.c: what each backend's training is doing, in shared memory, so that another session
 * can watch it (the view ubehav_stat_progress, in the spirit of pg_stat_progress_*).
 *
 * One slot per backend (MyBackendId), each under its own spinlock: the writer is the only one
 * that changes a slot and does so a few times per batch; a reader copies the slot under the lock.
 * The slots need shared memory reserved at server start, so ubehav must be in
 * shared_preload_libraries; without it every writer is a no-op and the view says so. Progress
 * never fails a training: nothing here raises an error.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "train_progress.h"

#define UB_PROGRESS_NAME 64

typedef struct UbProgressSlot
{
	slock_t		mutex;
	bool		active;
	uint64		generation;		/* which begin this row belongs to, for the error callback */
	int			pid;
	Oid			dbid;
	Oid			userid;
	char		function[32];
	char		model[UB_PROGRESS_NAME];
	int			phase;
	int			epoch,
				epochs;
	int64		rows_done,
				rows_total;
	double		loss;
	char		metric[16];
	double		metric_value;
	int			trial,
				trials,
				fold,
				folds,
				groups_done,
				groups_total;
	char		group[UB_PROGRESS_NAME];
	TimestampTz started;
	TimestampTz phase_started;
} UbProgressSlot;

static UbProgressSlot *slots = NULL;
static int	n_slots = 0;
static uint64 my_generation = 0;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
progress_size(void)
{
	return mul_size(sizeof(UbProgressSlot), MaxBackends);
}

static void
progress_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(progress_size());
}

static void
progress_shmem_startup(void)
{
	bool		found;
	int			i;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	slots = ShmemInitStruct("ubehav training progress", progress_size(), &found);
	n_slots = MaxBackends;
	if (!found)
	{
		memset(slots, 0, progress_size());
		for (i = 0; i < n_slots; i++)
			SpinLockInit(&slots[i].mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
ub_progress_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = progress_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = progress_shmem_startup;
}

/* This backend's slot, or NULL when progress is not enabled. */
static inline UbProgressSlot *
my_slot(void)
{
	if (slots == NULL || MyBackendId < 1 || MyBackendId > n_slots)
		return NULL;
	return &slots[MyBackendId - 1];
}

#define WRITE_SLOT(s, body) \
	do { \
		UbProgressSlot *s = my_slot(); \
		if (s != NULL && s->active) \
		{ \
			SpinLockAcquire(&s->mutex); \
			body; \
			SpinLockRelease(&s->mutex); \
		} \
	} while (0)

static void
clear_slot(UbProgressSlot *s)
{
	SpinLockAcquire(&s->mutex);
	s->active = false;
	SpinLockRelease(&s->mutex);
}

/* The memory context of the training went away (an error, or the call's end): its row goes too. */
static void
progress_context_gone(void *arg)
{
	UbProgressSlot *s = my_slot();

	if (s != NULL && s->generation == *(uint64 *) arg)
		clear_slot(s);
}

void
ub_progress_begin(const char *function, const char *model)
{
	UbProgressSlot *s = my_slot();
	MemoryContextCallback *cb;
	uint64	   *gen;
	TimestampTz now;

	if (s == NULL)
		return;
	if (s->active)				/* a training inside a training (tune's trials): keep the outer row */
		return;
	gen = MemoryContextAlloc(CurrentMemoryContext, sizeof(uint64));
	*gen = ++my_generation;
	cb = MemoryContextAlloc(CurrentMemoryContext, sizeof(MemoryContextCallback));
	cb->func = progress_context_gone;
	cb->arg = gen;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);

	now = GetCurrentTimestamp();
	SpinLockAcquire(&s->mutex);
	memset(((char *) s) + offsetof(UbProgressSlot, active), 0,
		   sizeof(UbProgressSlot) - offsetof(UbProgressSlot, active));
	s->active = true;
	s->generation = *gen;
	s->pid = MyProcPid;
	s->dbid = MyDatabaseId;
	s->userid = GetUserId();
	strlcpy(s->function, function, sizeof(s->function));
	strlcpy(s->model, model ? model : "", sizeof(s->model));
	s->phase = UB_PHASE_READING;
	s->metric_value = s->loss = get_float8_nan();
	s->started = s->phase_started = now;
	SpinLockRelease(&s->mutex);
}

void
ub_progress_end(void)
{
	UbProgressSlot *s = my_slot();

	if (s != NULL && s->active && s->generation == my_generation)
		clear_slot(s);
}

void
ub_progress_phase(UbPhase phase)
{
	TimestampTz now = GetCurrentTimestamp();

	WRITE_SLOT(s, {
		if (s->phase != (int) phase)
			s->phase_started = now;
		s->phase = phase;
	});
}

void
ub_progress_rows(int64 done, int64 total)
{
	WRITE_SLOT(s, { s->rows_done = done; s->rows_total = total; });
}

void
ub_progress_epoch(int epoch, int epochs)
{
	WRITE_SLOT(s, { s->epoch = epoch; s->epochs = epochs; });
}

void
ub_progress_loss(double loss, const char *metric, double value)
{
	WRITE_SLOT(s, {
		s->loss = loss;
		strlcpy(s->metric, metric ? metric : "", sizeof(s->metric));
		s->metric_value = value;
	});
}

void
ub_progress_trial(int trial, int trials)
{
	WRITE_SLOT(s, { s->trial = trial; s->trials = trials; });
}

void
ub_progress_fold(int fold, int folds)
{
	WRITE_SLOT(s, { s->fold = fold; s->folds = folds; });
}

void
ub_progress_group(const char *group, int done, int total)
{
	WRITE_SLOT(s, {
		strlcpy(s->group, group ? group : "", sizeof(s->group));
		s->groups_done = done;
		s->groups_total = total;
	});
}

static const char *
phase_name(int phase)
{
	switch (phase)
	{
		case UB_PHASE_READING:
			return "reading";
		case UB_PHASE_ENCODING:
			return "encoding";
		case UB_PHASE_TRAINING:
			return "training";
		case UB_PHASE_VALIDATING:
			return "validating";
		case UB_PHASE_STORING:
			return "storing";
	}
	return "starting";
}

#define PROGRESS_COLS 22

/*
 * One row per training running in this server. Another user's training shows its pid, function
 * and phase, its model and figures only to members of that user's role or pg_read_all_stats, as
 * pg_stat_progress_* do. Without shared_preload_libraries: one row whose phase says so.
 */
PG_FUNCTION_INFO_V1(ubehav_progress);
Datum
ubehav_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[PROGRESS_COLS];
	bool		nulls[PROGRESS_COLS];
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (slots == NULL)
	{
		memset(nulls, true, sizeof(nulls));
		nulls[5] = false;
		values[5] = CStringGetTextDatum("not enabled: add ubehav to shared_preload_libraries and restart");
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return (Datum) 0;
	}
	for (i = 0; i < n_slots; i++)
	{
		UbProgressSlot copy;
		bool		visible;

		SpinLockAcquire(&slots[i].mutex);
		copy = slots[i];
		SpinLockRelease(&slots[i].mutex);
		if (!copy.active)
			continue;
		visible = has_privs_of_role(GetUserId(), copy.userid) ||
			has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
		memset(nulls, false, sizeof(nulls));
		values[0] = Int32GetDatum(copy.pid);
		values[1] = ObjectIdGetDatum(copy.dbid);
		values[2] = ObjectIdGetDatum(copy.userid);
		values[3] = CStringGetTextDatum(copy.function);
		values[4] = CStringGetTextDatum(copy.model);
		values[5] = CStringGetTextDatum(phase_name(copy.phase));
		values[6] = Int32GetDatum(copy.epoch);
		values[7] = Int32GetDatum(copy.epochs);
		values[8] = Int64GetDatum(copy.rows_done);
		values[9] = Int64GetDatum(copy.rows_total);
		values[10] = Float8GetDatum(copy.loss);
		values[11] = CStringGetTextDatum(copy.metric);
		values[12] = Float8GetDatum(copy.metric_value);
		values[13] = Int32GetDatum(copy.trial);
		values[14] = Int32GetDatum(copy.trials);
		values[15] = Int32GetDatum(copy.fold);
		values[16] = Int32GetDatum(copy.folds);
		values[17] = CStringGetTextDatum(copy.group);
		values[18] = Int32GetDatum(copy.groups_done);
		values[19] = Int32GetDatum(copy.groups_total);
		values[20] = TimestampTzGetDatum(copy.started);
		values[21] = TimestampTzGetDatum(copy.phase_started);
		nulls[4] = !visible || copy.model[0] == '\0';
		nulls[10] = !visible || isnan(copy.loss);
		nulls[11] = !visible || copy.metric[0] == '\0';
		nulls[12] = !visible || isnan(copy.metric_value);
		nulls[6] = nulls[7] = !visible || copy.epochs == 0;
		nulls[8] = nulls[9] = !visible;
		nulls[13] = nulls[14] = !visible || copy.trials == 0;
		nulls[15] = nulls[16] = !visible || copy.folds == 0;
		nulls[17] = nulls[18] = nulls[19] = !visible || copy.groups_total == 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
