/* train_parallel.c: local SGD on the leader and parallel workers, models averaged per epoch (see train_parallel.h). */
#include "postgres.h"

#include <limits.h>
#include <math.h>
#include <unistd.h>

#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "port/atomics.h"
#include "portability/instr_time.h"
#include "storage/barrier.h"
#include "storage/condition_variable.h"
#include "storage/shm_toc.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "nn/model_average.h"
#include "nn_error.h"
#include "data_row_chunks.h"
#include "train_parallel.h"
#include "ubehav.h"

int			ub_parallel_workers = -1;
int			ub_parallel_min_rows = 100000;

#define UB_PARALLEL_MAX_WORKERS 64
#define UB_PARALLEL_MAX_PARTICIPANTS (UB_PARALLEL_MAX_WORKERS + 1)

/* shm_toc keys of the segment */
#define UB_KEY_SHARED	UINT64CONST(0xB0E4A70000000001)
#define UB_KEY_X		UINT64CONST(0xB0E4A70000000002)
#define UB_KEY_Y		UINT64CONST(0xB0E4A70000000003)
#define UB_KEY_W		UINT64CONST(0xB0E4A70000000004)
#define UB_KEY_MODEL	UINT64CONST(0xB0E4A70000000005)
#define UB_KEY_SLOTS	UINT64CONST(0xB0E4A70000000006)
#define UB_KEY_VAL_X	UINT64CONST(0xB0E4A70000000007)
#define UB_KEY_VAL_Y	UINT64CONST(0xB0E4A70000000008)
#define UB_KEY_VAL_OUT	UINT64CONST(0xB0E4A70000000009)

#define UB_VALIDATE_BLOCK 256		/* rows scored at once, as ub_fit's validation */

/* What every participant reads; the leader writes it before the workers may look. */
typedef struct ParallelShared
{
	NnSpec		spec;
	size_t		n_params;
	size_t		state_floats;	/* optimizer state per model */
	size_t		n_train;		/* rows in the segment's X, in the order of the leader's train_rows */
	size_t		n_val;			/* rows in the segment's validation X, in the order of val_rows; 0: none */
	int			batch_size;
	bool		has_weights;
	NnOptimizer opt;			/* kind and hyperparameters; the rate is set per epoch */
	float		l1,
				l2,
				clipnorm,
				clipvalue;
	bool		any_dropout;
	float		dropout[NN_MAX_HIDDEN_LAYERS];
	/* set after the launch, before the first epoch */
	int			n_participants;
	uint64		seeds[UB_PARALLEL_MAX_PARTICIPANTS];
	/* per epoch, written by the leader before the "go" barrier */
	bool		stop;
	float		learning_rate;
	/* per participant, written before the "done" barrier */
	double		loss_sum[UB_PARALLEL_MAX_PARTICIPANTS];
	double		rows[UB_PARALLEL_MAX_PARTICIPANTS];
	int64		steps[UB_PARALLEL_MAX_PARTICIPANTS];
	double		val_loss_sum[UB_PARALLEL_MAX_PARTICIPANTS];
	/* start-up: workers count themselves in after attaching to the barrier */
	pg_atomic_uint32 n_attached;
	ConditionVariable attached_cv;
	Barrier		barrier;
} ParallelShared;

/* One participant's view: the shared arrays and its own buffers (in its own process). */
typedef struct Participant
{
	ParallelShared *sh;
	int			index;			/* 0 is the leader */
	const float *X;				/* (n_train, d), d = nn_row_width(spec): a text model's rows are its sparse pairs */
	const float *y;
	const float *w;				/* or NULL */
	float	   *model;			/* the epoch's starting model: params then state */
	float	   *slot;			/* this participant's model after its epoch: params then state */
	uint32	   *rows;			/* its rows, indices into X: index, index + P, ... */
	size_t		n_rows;
	const float *val_X;			/* (n_val, d) */
	const float *val_y;
	float	   *val_out;		/* (n_val, n_outputs) after the output transform */
	size_t		val_start,		/* its block of validation rows */
				val_end;
	float	   *val_workspace;
	NnRng		rng;
	float	   *grads,
			   *workspace,
			   *dlogits,
			   *xb,
			   *yb,
			   *wb,
			   *masks;
	NnTrainConfig cfg;
} Participant;

struct UbParallelFit
{
	ParallelContext *pcxt;
	ParallelShared *sh;
	Participant self;
	float	   *slots;
	int			planned;		/* workers asked for */
	int			launched;
	int			epochs;
	double		train_ms;		/* leader: its own share of the epochs */
	double		wait_ms;		/* leader: waiting at the barriers for the workers */
	double		average_ms;		/* leader: averaging the models */
	double		validate_ms;	/* leader: scoring the validation rows with the workers */
};

void
ub_train_parallel_define_gucs(void)
{
	DefineCustomIntVariable("ubehav.parallel_workers",
							"Parallel workers one ubehav_train may use beside the leader: -1 as max_parallel_workers_per_gather, at most one fewer than the CPUs; 0 trains on one core.",
							"Workers come from max_parallel_workers; when fewer launch, training uses those that did and the model's metrics say how many.",
							&ub_parallel_workers,
							-1, -1, UB_PARALLEL_MAX_WORKERS,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ubehav.parallel_min_rows",
							"Training rows from which ubehav_train trains in parallel; fewer train on one core.",
							"Below it an epoch is too short for the per-epoch synchronisation to pay.",
							&ub_parallel_min_rows,
							100000, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

/* Workers to plan for: the setting, or for -1 max_parallel_workers_per_gather within the CPUs. */
static int
planned_workers(void)
{
	long		cpus;
	int			n;

	if (ub_parallel_workers >= 0)
		return Min(ub_parallel_workers, max_parallel_workers);
	n = Min(max_parallel_workers_per_gather, max_parallel_workers);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* the leader computes too: more participants than CPUs only adds waiting at the barrier */
	if (cpus > 0)
		n = (int) Min((long) n, cpus - 1);
	return Max(Min(n, UB_PARALLEL_MAX_WORKERS), 0);
}

static float *
alloc_floats(size_t n)
{
	return palloc_extended(sizeof(float) * Max(n, 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* Find the arrays in the segment and allocate the participant's own buffers. */
static void
participant_init(Participant *p, ParallelShared *sh, shm_toc *toc, int index)
{
	const NnSpec *spec = &sh->spec;
	int			P = sh->n_participants,
				B = sh->batch_size;
	size_t		ws_floats,
				i;

	memset(p, 0, sizeof(*p));
	p->sh = sh;
	p->index = index;
	p->X = shm_toc_lookup(toc, UB_KEY_X, false);
	p->y = shm_toc_lookup(toc, UB_KEY_Y, false);
	p->w = sh->has_weights ? shm_toc_lookup(toc, UB_KEY_W, false) : NULL;
	p->model = shm_toc_lookup(toc, UB_KEY_MODEL, false);
	p->slot = (float *) shm_toc_lookup(toc, UB_KEY_SLOTS, false) +
		(size_t) index * (sh->n_params + sh->state_floats);
	p->n_rows = sh->n_train > (size_t) index ? (sh->n_train - index + P - 1) / P : 0;
	if (sh->n_val > 0)
	{
		p->val_X = shm_toc_lookup(toc, UB_KEY_VAL_X, false);
		p->val_y = shm_toc_lookup(toc, UB_KEY_VAL_Y, false);
		p->val_out = shm_toc_lookup(toc, UB_KEY_VAL_OUT, false);
		p->val_start = sh->n_val * index / P;
		p->val_end = sh->n_val * (index + 1) / P;
		ub_check_nn_status(nn_workspace_floats(spec, UB_VALIDATE_BLOCK, &ws_floats), "sizing the scoring workspace");
		p->val_workspace = alloc_floats(ws_floats);
	}
	p->rows = palloc_extended(sizeof(uint32) * Max(p->n_rows, 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < p->n_rows; i++)
		p->rows[i] = (uint32) (index + i * P);
	nn_rng_seed(&p->rng, sh->seeds[index]);
	ub_check_nn_status(nn_workspace_floats(spec, B, &ws_floats), "sizing the training workspace");
	p->grads = alloc_floats(sh->n_params);
	p->workspace = alloc_floats(ws_floats);
	p->dlogits = alloc_floats((size_t) B * spec->n_outputs);
	p->xb = alloc_floats((size_t) B * nn_row_width(spec));
	p->yb = alloc_floats(B);
	p->cfg.l1 = sh->l1;
	p->cfg.l2 = sh->l2;
	p->cfg.clipnorm = sh->clipnorm;
	p->cfg.clipvalue = sh->clipvalue;
	if (p->w)
	{
		p->wb = alloc_floats(B);
		p->cfg.weights = p->wb;
	}
	if (sh->any_dropout)
	{
		p->masks = alloc_floats(nn_dropout_mask_floats(spec, B));
		p->cfg.dropout = sh->dropout;
		p->cfg.rng = &p->rng;
		p->cfg.masks = p->masks;
	}
}

/* One epoch of minibatch steps on the participant's rows, from the shared starting model into its slot. */
static void
participant_epoch(Participant *p)
{
	ParallelShared *sh = p->sh;
	const NnSpec *spec = &sh->spec;
	int			d = nn_row_width(spec),
				B = sh->batch_size;
	float	   *params = p->slot,
			   *state = p->slot + sh->n_params;
	NnOptimizer opt = sh->opt;
	double		loss_sum = 0.0;
	size_t		r;

	memcpy(p->slot, p->model, sizeof(float) * (sh->n_params + sh->state_floats));
	opt.learning_rate = sh->learning_rate;
	opt.step = sh->steps[p->index];
	nn_rng_shuffle(&p->rng, p->rows, p->n_rows);
	for (r = 0; r < p->n_rows; r += B)
	{
		int			nb = (int) Min((size_t) B, p->n_rows - r);
		int			k;

		for (k = 0; k < nb; k++)
		{
			uint32		row = p->rows[r + k];

			memcpy(p->xb + (size_t) k * d, p->X + (size_t) row * d, sizeof(float) * d);
			p->yb[k] = p->y[row];
			if (p->wb)
				p->wb[k] = p->w[row];
		}
		loss_sum += nn_train_step_config(spec, params, p->grads, &opt, state, p->xb, p->yb, &p->cfg, nb,
										 p->workspace, p->dlogits) * nb;
		CHECK_FOR_INTERRUPTS();
	}
	sh->loss_sum[p->index] = loss_sum;
	sh->rows[p->index] = (double) p->n_rows;
	sh->steps[p->index] = opt.step;
}

/* Score the participant's block of validation rows with the shared model: outputs and summed loss. */
static void
participant_validate(Participant *p)
{
	ParallelShared *sh = p->sh;
	const NnSpec *spec = &sh->spec;
	int			d = nn_row_width(spec),
				K = spec->n_outputs;
	double		total = 0.0;
	size_t		r;

	for (r = p->val_start; r < p->val_end; r += UB_VALIDATE_BLOCK)
	{
		int			B = (int) Min((size_t) UB_VALIDATE_BLOCK, p->val_end - r);
		float	   *logits = nn_forward(spec, p->model, p->val_X + r * d, B, p->val_workspace);

		total += nn_head_loss(spec->head, logits, p->val_y + r, NULL, B, K, NULL) * B;
		memcpy(p->val_out + r * K, logits, sizeof(float) * B * K);
		nn_head_output(spec->head, p->val_out + r * K, B, K);
		CHECK_FOR_INTERRUPTS();
	}
	sh->val_loss_sum[p->index] = total;
}

void
ub_train_parallel_worker(dsm_segment *seg, shm_toc *toc)
{
	ParallelShared *sh = shm_toc_lookup(toc, UB_KEY_SHARED, false);
	Participant self;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav parallel training",
											  ALLOCSET_DEFAULT_SIZES);

	MemoryContextSwitchTo(cxt);
	BarrierAttach(&sh->barrier);
	pg_atomic_fetch_add_u32(&sh->n_attached, 1);
	ConditionVariableBroadcast(&sh->attached_cv);
	/* the leader sets the participant count and seeds before the first "go" */
	BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);
	if (!sh->stop)
	{
		participant_init(&self, sh, toc, ParallelWorkerNumber + 1);
		for (;;)
		{
			participant_epoch(&self);
			BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* done */
			if (sh->n_val > 0)
			{
				BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* validate */
				participant_validate(&self);
				BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* validated */
			}
			BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* go */
			if (sh->stop)
				break;
		}
	}
	BarrierDetach(&sh->barrier);
}

UbParallelFit *
ub_parallel_fit_begin(const NnSpec *spec, const UbOptions *opts, const UbFitData *data, NnRng *rng,
					  StringInfo info)
{
	UbParallelFit *pf;
	ParallelShared *sh;
	ParallelContext *pcxt;
	shm_toc    *toc;
	size_t		n_params,
				state_floats,
				model_floats,
				x_bytes,
				i;
	int			planned,
				P,
				l,
				d = nn_row_width(spec);
	float	   *X,
			   *y,
			   *w = NULL,
			   *val_X = NULL,
			   *val_y = NULL;

	if (opts->dp || data->dp_noise > 0 || data->X->spill != NULL || IsInParallelMode() ||
		IsParallelWorker() || data->n_train < (size_t) Max(ub_parallel_min_rows, 2) ||
		data->n_train > PG_UINT32_MAX)
		return NULL;
	planned = planned_workers();
	if (planned <= 0)
		return NULL;
	ub_check_nn_status(nn_spec_param_count(spec, &n_params), "sizing the network");
	ub_check_nn_status(nn_optimizer_state_floats(opts->optimizer.kind, n_params, &state_floats),
					   "sizing the optimizer state");
	model_floats = n_params + state_floats;
	if ((size_t) d > MaxAllocHugeSize / sizeof(float) / (data->n_train + data->n_val) ||
		(size_t) spec->n_outputs > MaxAllocHugeSize / sizeof(float) / Max(data->n_val, 1) ||
		model_floats > MaxAllocHugeSize / sizeof(float) / UB_PARALLEL_MAX_PARTICIPANTS)
		return NULL;
	x_bytes = sizeof(float) * data->n_train * (size_t) d;
	{
		/* the segment copies the encoded rows: both copies count toward ubehav.max_training_memory */
		size_t		limit = (size_t) ub_max_training_memory * 1024 * 1024,
					used = MemoryContextMemAllocated(data->X->mcxt, true),
					copy = x_bytes + sizeof(float) * data->n_val * (size_t) (d + spec->n_outputs) +
			sizeof(float) * data->n_train * (data->w ? 2 : 1);

		if (used > limit || copy > limit - used)
		{
			appendStringInfo(info, "\"parallel\":{\"workers_planned\":%d,\"workers_launched\":0,\"participants\":1,\"reason\":\"the copy of the rows for the workers would pass ubehav.max_training_memory\"}",
							 planned);
			return NULL;
		}
	}

	EnterParallelMode();
	pcxt = CreateParallelContext("ubehav", "ub_train_parallel_worker", planned);
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(ParallelShared));
	shm_toc_estimate_chunk(&pcxt->estimator, x_bytes);
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(float) * data->n_train);
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(float) * model_floats);
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(float) * model_floats * (planned + 1));
	shm_toc_estimate_keys(&pcxt->estimator, 5);
	if (data->w != NULL)
	{
		shm_toc_estimate_chunk(&pcxt->estimator, sizeof(float) * data->n_train);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
	}
	if (data->n_val > 0)
	{
		shm_toc_estimate_chunk(&pcxt->estimator, sizeof(float) * data->n_val * (size_t) d);
		shm_toc_estimate_chunk(&pcxt->estimator, sizeof(float) * data->n_val);
		shm_toc_estimate_chunk(&pcxt->estimator, sizeof(float) * data->n_val * (size_t) spec->n_outputs);
		shm_toc_estimate_keys(&pcxt->estimator, 3);
	}
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		/* no segment could be made (no dynamic shared memory): train on one core */
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		appendStringInfo(info, "\"parallel\":{\"workers_planned\":%d,\"workers_launched\":0,\"participants\":1,\"reason\":\"no dynamic shared memory segment\"}",
						 planned);
		return NULL;
	}
	toc = pcxt->toc;

	sh = shm_toc_allocate(toc, sizeof(ParallelShared));
	memset(sh, 0, sizeof(*sh));
	sh->spec = *spec;
	sh->n_params = n_params;
	sh->state_floats = state_floats;
	sh->n_train = data->n_train;
	sh->n_val = data->n_val;
	sh->batch_size = (int) Min((size_t) opts->batch_size, data->n_train);
	sh->has_weights = data->w != NULL;
	sh->opt = opts->optimizer;
	sh->opt.step = 0;
	sh->l1 = (float) opts->l1;
	sh->l2 = (float) opts->l2;
	sh->clipnorm = (float) opts->clipnorm;
	sh->clipvalue = (float) opts->clipvalue;
	for (l = 0; l < spec->n_hidden; l++)
	{
		sh->dropout[l] = opts->dropout_set ? (float) opts->dropout[l] : 0.0f;
		sh->any_dropout |= sh->dropout[l] > 0.0f;
	}
	pg_atomic_init_u32(&sh->n_attached, 0);
	ConditionVariableInit(&sh->attached_cv);
	BarrierInit(&sh->barrier, 0);
	BarrierAttach(&sh->barrier);
	shm_toc_insert(toc, UB_KEY_SHARED, sh);
	X = shm_toc_allocate(toc, x_bytes);
	shm_toc_insert(toc, UB_KEY_X, X);
	y = shm_toc_allocate(toc, sizeof(float) * data->n_train);
	shm_toc_insert(toc, UB_KEY_Y, y);
	if (data->w != NULL)
	{
		w = shm_toc_allocate(toc, sizeof(float) * data->n_train);
		shm_toc_insert(toc, UB_KEY_W, w);
	}
	if (data->n_val > 0)
	{
		val_X = shm_toc_allocate(toc, sizeof(float) * data->n_val * (size_t) d);
		shm_toc_insert(toc, UB_KEY_VAL_X, val_X);
		val_y = shm_toc_allocate(toc, sizeof(float) * data->n_val);
		shm_toc_insert(toc, UB_KEY_VAL_Y, val_y);
		shm_toc_insert(toc, UB_KEY_VAL_OUT, shm_toc_allocate(toc, sizeof(float) * data->n_val * (size_t) spec->n_outputs));
	}
	shm_toc_insert(toc, UB_KEY_MODEL, shm_toc_allocate(toc, sizeof(float) * model_floats));
	shm_toc_insert(toc, UB_KEY_SLOTS, shm_toc_allocate(toc, sizeof(float) * model_floats * (planned + 1)));

	LaunchParallelWorkers(pcxt);
	if (pcxt->nworkers_launched == 0)
	{
		/* none free in max_parallel_workers: the serial training, bit for bit, and the metrics say so */
		BarrierDetach(&sh->barrier);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		appendStringInfo(info, "\"parallel\":{\"workers_planned\":%d,\"workers_launched\":0,\"participants\":1,\"reason\":\"no parallel worker was free (max_parallel_workers)\"}",
						 planned);
		return NULL;
	}

	/* the workers start up while the rows are copied: in the order of train_rows, dealt round-robin */
	for (i = 0; i < data->n_train; i++)
	{
		uint32		row = data->train_rows[i];

		memcpy(X + i * d, ub_chunks_row(data->X, row), sizeof(float) * d);
		y[i] = data->y[row];
		if (w)
			w[i] = data->w[row];
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	for (i = 0; i < data->n_val; i++)
	{
		uint32		row = data->val_rows[i];

		memcpy(val_X + i * d, ub_chunks_row(data->X, row), sizeof(float) * d);
		val_y[i] = data->y[row];
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	P = pcxt->nworkers_launched + 1;
	sh->n_participants = P;
	/* every participant's stream from the training's: the same seed gives the same streams */
	for (i = 0; i < (size_t) P; i++)
		sh->seeds[i] = nn_rng_next(rng);

	pf = palloc0(sizeof(UbParallelFit));
	pf->pcxt = pcxt;
	pf->sh = sh;
	pf->planned = planned;
	pf->launched = pcxt->nworkers_launched;
	pf->slots = shm_toc_lookup(toc, UB_KEY_SLOTS, false);
	participant_init(&pf->self, sh, toc, 0);

	/* a worker that fails to start is an ERROR here; one that started is counted in before the first epoch */
	WaitForParallelWorkersToAttach(pcxt);
	while (pg_atomic_read_u32(&sh->n_attached) < (uint32) pf->launched)
		ConditionVariableSleep(&sh->attached_cv, PG_WAIT_EXTENSION);
	ConditionVariableCancelSleep();
	return pf;
}

double
ub_parallel_fit_epoch(UbParallelFit *pf, float *params, float *state, const NnOptimizer *opt)
{
	ParallelShared *sh = pf->sh;
	int			P = sh->n_participants,
				j;
	const float *models[UB_PARALLEL_MAX_PARTICIPANTS],
			   *states[UB_PARALLEL_MAX_PARTICIPANTS];
	double		loss = 0.0;
	size_t		model_floats = sh->n_params + sh->state_floats;
	NnStatus	status;
	instr_time	t0,
				t1,
				t2,
				t3,
				t4;

	memcpy(pf->self.model, params, sizeof(float) * sh->n_params);
	if (sh->state_floats > 0)
		memcpy(pf->self.model + sh->n_params, state, sizeof(float) * sh->state_floats);
	sh->learning_rate = opt->learning_rate;
	sh->stop = false;
	INSTR_TIME_SET_CURRENT(t0);
	BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* go */
	INSTR_TIME_SET_CURRENT(t1);
	participant_epoch(&pf->self);
	INSTR_TIME_SET_CURRENT(t2);
	BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* done */
	INSTR_TIME_SET_CURRENT(t3);
	pf->epochs++;

	/* the average in participant order: the same bits whichever process finished first */
	for (j = 0; j < P; j++)
	{
		models[j] = pf->slots + (size_t) j * model_floats;
		states[j] = models[j] + sh->n_params;
		loss += sh->loss_sum[j];
	}
	status = nn_model_average(&sh->spec, P, models, sh->rows, params);
	if (status == NN_ERR_NONFINITE)
		return get_float8_nan();
	ub_check_nn_status(status, "averaging the participants' models");
	if (sh->state_floats > 0)
	{
		status = nn_optimizer_state_average(sh->opt.kind, sh->n_params, P, states, sh->rows, state);
		if (status == NN_ERR_NONFINITE)
			return get_float8_nan();
		ub_check_nn_status(status, "averaging the participants' optimizer states");
	}
	INSTR_TIME_SET_CURRENT(t4);
	INSTR_TIME_SUBTRACT(t4, t3);
	INSTR_TIME_SUBTRACT(t3, t2);
	INSTR_TIME_SUBTRACT(t2, t1);
	INSTR_TIME_SUBTRACT(t1, t0);
	pf->train_ms += INSTR_TIME_GET_MILLISEC(t2);
	pf->wait_ms += INSTR_TIME_GET_MILLISEC(t1) + INSTR_TIME_GET_MILLISEC(t3);
	pf->average_ms += INSTR_TIME_GET_MILLISEC(t4);
	return loss;
}

double
ub_parallel_fit_validate(UbParallelFit *pf, const float *params, float *out)
{
	ParallelShared *sh = pf->sh;
	double		total = 0.0;
	int			j;
	instr_time	t0,
				t1;

	Assert(sh->n_val > 0);
	memcpy(pf->self.model, params, sizeof(float) * sh->n_params);
	INSTR_TIME_SET_CURRENT(t0);
	BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* validate */
	participant_validate(&pf->self);
	BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* validated */
	INSTR_TIME_SET_CURRENT(t1);
	INSTR_TIME_SUBTRACT(t1, t0);
	pf->validate_ms += INSTR_TIME_GET_MILLISEC(t1);
	for (j = 0; j < sh->n_participants; j++)
		total += sh->val_loss_sum[j];
	memcpy(out, pf->self.val_out, sizeof(float) * sh->n_val * sh->spec.n_outputs);
	return total / sh->n_val;
}

void
ub_parallel_fit_end(UbParallelFit *pf, StringInfo info)
{
	ParallelShared *sh = pf->sh;

	sh->stop = true;
	BarrierArriveAndWait(&sh->barrier, PG_WAIT_EXTENSION);	/* go, to stop */
	BarrierDetach(&sh->barrier);
	WaitForParallelWorkersToFinish(pf->pcxt);
	DestroyParallelContext(pf->pcxt);
	ExitParallelMode();
	/* where the leader's epochs went: its share, waiting for the slowest worker, averaging */
	appendStringInfo(info, "\"parallel\":{\"workers_planned\":%d,\"workers_launched\":%d,\"participants\":%d,\"combine\":\"row-weighted model average per epoch\",\"epochs_averaged\":%d,\"leader_train_ms\":%.0f,\"leader_wait_ms\":%.0f,\"average_ms\":%.1f,\"validate_ms\":%.0f}",
					 pf->planned, pf->launched, pf->launched + 1, pf->epochs, pf->train_ms, pf->wait_ms, pf->average_ms,
					 pf->validate_ms);
}
