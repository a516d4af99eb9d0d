/*
 * data_demo.c: seeded synthetic e-commerce users and events, with real signal and real
 * noise, so the demo and the use-case tests have something worth learning from.
 *
 * The generative model (also described in README.md, "Behaviour analytics"):
 *
 * Catalogue. 12 categories of 200 products each; product_id = 1000 * (category + 1) + rank,
 * rank 1..200. A product's base price is lognormal around its category's typical price
 * (sd 0.45 in log space) and it has an "appeal": N(0, 1) plus a shift N(0, 0.6^2) shared by its
 * category; both are drawn from a generator
 * seeded by (seed, product), so they are the same in every call with the same seed. Products
 * are picked within a category with a long-tailed popularity (rank = 200 * u^2.5).
 *
 * Users. Each user draws, from a generator seeded by (seed, user_id) only (a user is the same
 * whatever n_users is):
 *   - signup date: 60% signed up in the two years before start (existing customers), 40%
 *     during the generated period (new visitors, whose first session is the signup day);
 *   - region, device, acquisition channel (fixed categorical mixes);
 *   - engagement z ~ N(0, 1), which raises activity, cart and purchase propensity and lowers
 *     the churn hazard;
 *   - sessions per day: lognormal, exp(-2.6 + 0.6 z + 0.7 N(0, 1)) times a channel factor
 *     (long-tailed: a few heavy users, many light ones);
 *   - purchase propensity b (engagement, device: desktop +, mobile -; channel: email +,
 *     social -), price sensitivity s = exp(0.4 N(0, 1)), ad clickiness N(0, 1) (social +);
 *   - category affinity: a favourite category (55% of browsing), a second one (20%), the rest
 *     spread by category popularity;
 *   - drift: 35% of users lose interest, their activity decaying as exp(-t / tau) with tau
 *     uniform in 20..120 days from their first day;
 *   - churn: a daily hazard h0 = 0.004 exp(-0.4 z); every abandoned cart multiplies it by 1.3
 *     (bad experiences drive users away), every purchase by 0.75; once churned, a user never
 *     returns.
 *
 * Days. Expected sessions = rate x drift x weekly factor (weekend high) x yearly factor
 * (1 + 0.2 cos, peak late December) x special-day factor: Singles' Day (Nov 11), Black Friday
 * (4th Friday of November), Cyber Monday, the December run-up (Dec 1-20), Boxing Day, January
 * sales (Jan 2-15), mid-July sale; special days also carry a discount (10-30%) on prices.
 * The count is Poisson; session start hours are a mix of an evening and a midday peak.
 *
 * Sessions. A returning user may first review the last product bought (15%). Then 1 +
 * geometric views (mean grows with engagement, lower for new visitors), 45 s apart on
 * average (exponential); each view is in a category drawn from the affinity. A view goes to
 * the cart with probability sigmoid(-2.5 + 0.4 z + 0.7 [favourite category] + 0.3 appeal
 * - 0.8 s log(price / typical) + 2.5 s discount); items may be removed again (6% per later
 * view). Ad impressions: Poisson(0.6 + 0.1 views), half targeted at the favourite category;
 * a click has probability sigmoid(-3.3 + 0.8 clickiness + 1.2 [favourite] + 0.8 appeal
 * + 0.3 [mobile]) and is followed by a view of the advertised product. At the end, a non-empty
 * cart is bought with probability sigmoid(-0.3 + 0.8 b + 0.6 [returning] - 0.5 [new]
 * + 3 discount - 0.35 s log(1 + cart value / 50) + 0.05 min(views, 20)), one purchase event
 * per item with its quantity (1 + geometric, larger for groceries); otherwise the cart is
 * abandoned.
 *
 * Determinism: the same arguments give the same rows, in the same order (by user, then time),
 * on every run; event_id and session_id are counters in that order.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "nn/rng.h"

#define DG_CATEGORIES 12
#define DG_PRODUCTS_PER_CATEGORY 200
#define DG_PRODUCTS (DG_CATEGORIES * DG_PRODUCTS_PER_CATEGORY)
#define DG_MAX_USERS 10000000
#define DG_MAX_DAYS 3650
#define DG_MAX_VIEWS 60
#define DG_MAX_CART 32
#define DG_MAX_SESSIONS_PER_DAY 20

static const char *const dg_categories[DG_CATEGORIES] = {
	"electronics", "fashion", "home", "beauty", "books", "sports",
	"toys", "grocery", "garden", "automotive", "health", "music"
};
static const double dg_category_share[DG_CATEGORIES] = {
	0.12, 0.16, 0.12, 0.09, 0.08, 0.08, 0.07, 0.10, 0.05, 0.04, 0.06, 0.03
};
static const double dg_category_log_price[DG_CATEGORIES] = {
	5.0, 3.7, 3.9, 3.0, 2.7, 3.9, 3.2, 1.8, 3.6, 4.0, 2.9, 2.8
};

static const char *const dg_regions[] = {"north", "south", "east", "west", "international"};
static const double dg_region_share[] = {0.25, 0.25, 0.20, 0.20, 0.10};
static const char *const dg_devices[] = {"mobile", "desktop", "tablet"};
static const double dg_device_share[] = {0.55, 0.35, 0.10};
static const char *const dg_channels[] = {"organic", "paid_search", "social", "email", "direct", "affiliate"};
static const double dg_channel_share[] = {0.30, 0.20, 0.15, 0.15, 0.12, 0.08};
/* sessions-per-day, purchase-propensity and ad-clickiness offsets per channel */
static const double dg_channel_rate[] = {1.0, 0.9, 0.8, 1.3, 1.1, 0.9};
static const double dg_channel_buy[] = {0.0, 0.1, -0.3, 0.4, 0.2, 0.0};
static const double dg_channel_click[] = {0.0, 0.2, 0.4, -0.1, -0.2, 0.1};

enum
{
	EV_VIEW, EV_ADD_TO_CART, EV_REMOVE_FROM_CART, EV_PURCHASE, EV_AD_IMPRESSION, EV_AD_CLICK, EV_REVIEW
};
static const char *const dg_event_types[] = {
	"view", "add_to_cart", "remove_from_cart", "purchase", "ad_impression", "ad_click", "review"
};

/* What a product is, the same in every call with the same seed. */
typedef struct DgProduct
{
	double		price;
	double		appeal;
} DgProduct;

/* One day of the period: its multipliers and discount. */
typedef struct DgDay
{
	double		activity;		/* weekly x yearly x special-day factor */
	double		discount;		/* fraction off list prices */
	DateADT		date;
} DgDay;

/* A user's visible attributes and hidden traits. */
typedef struct DgUser
{
	NnRng		rng;			/* the user's own stream, continued by the event simulation */
	int			signup_offset;	/* days from start; negative: signed up before */
	int			region;
	int			device;
	int			channel;
	double		engagement;
	double		rate;			/* expected sessions per day before seasonality */
	double		buy;
	double		price_sensitivity;
	double		clickiness;
	int			favourite;
	int			second;
	double		drift_tau;		/* days; 0 = no drift */
	double		hazard;
} DgUser;

/* Everything a call shares: the catalogue and the calendar. */
typedef struct DgWorld
{
	uint64		seed;
	int			days;
	DateADT		start;
	DgProduct	products[DG_PRODUCTS];
	DgDay	   *calendar;
} DgWorld;

PG_FUNCTION_INFO_V1(ubehav_demo_users);
PG_FUNCTION_INFO_V1(ubehav_demo_events);

/* Mix two 64-bit values into a seed, so (seed, id) streams are unrelated to each other. */
static uint64
dg_mix(uint64 a, uint64 b)
{
	uint64		z = a ^ (b * UINT64CONST(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 31)) * UINT64CONST(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 29)) * UINT64CONST(0x94d049bb133111eb);
	return z ^ (z >> 32);
}

/* Index drawn from a discrete distribution given by shares that sum to 1. */
static int
dg_pick(NnRng *rng, const double *share, int n)
{
	double		u = nn_rng_uniform(rng);
	int			i;

	for (i = 0; i < n - 1; i++)
	{
		if (u < share[i])
			return i;
		u -= share[i];
	}
	return n - 1;
}

/* Logistic function, for the behaviour probabilities. */
static inline double
dg_sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/* Poisson count by multiplication of uniforms (Knuth); lambda is capped small by the caller. */
static int
dg_poisson(NnRng *rng, double lambda)
{
	double		limit = exp(-lambda);
	double		p = 1.0;
	int			k = -1;

	do
	{
		k++;
		p *= nn_rng_uniform(rng);
	} while (p > limit);
	return k;
}

/* Geometric count of extra items with the given mean (0, 1, 2, ...). */
static int
dg_geometric(NnRng *rng, double mean, int cap)
{
	double		p = mean / (1.0 + mean);
	int			k = 0;

	while (k < cap && nn_rng_uniform(rng) < p)
		k++;
	return k;
}

/* Arguments checked once, before any work, with what to do about them. */
static void
dg_check_args(int32 n_users, int32 days, DateADT start)
{
	if (n_users < 0 || n_users > DG_MAX_USERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_users must be between 0 and %d, not %d", DG_MAX_USERS, n_users)));
	if (days < 1 || days > DG_MAX_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must be between 1 and %d, not %d", DG_MAX_DAYS, days)));
	if (DATE_NOT_FINITE(start) || start > 365 * 200 || start < -365 * 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start must be a date between 1900 and 2199"),
				 errhint("Pass an ordinary calendar date such as DATE '2025-09-01'.")));
}

/* Discount and session multiplier of special days (month, day of month, day of week 0 = Sunday). */
static void
dg_special_day(int month, int mday, int wday, double *factor, double *discount)
{
	*factor = 1.0;
	*discount = 0.0;
	if (month == 11 && wday == 5 && mday >= 22 && mday <= 28)
	{
		*factor = 3.0;			/* Black Friday */
		*discount = 0.30;
	}
	else if ((month == 11 && wday == 1 && mday >= 25) || (month == 12 && wday == 1 && mday <= 1))
	{
		*factor = 2.2;			/* Cyber Monday: the Monday after Black Friday */
		*discount = 0.25;
	}
	else if (month == 11 && mday == 11)
	{
		*factor = 1.6;			/* Singles' Day */
		*discount = 0.20;
	}
	else if (month == 12 && mday <= 20)
	{
		*factor = 1.3;			/* the December run-up */
		*discount = 0.10;
	}
	else if (month == 12 && mday == 26)
	{
		*factor = 1.8;			/* Boxing Day */
		*discount = 0.20;
	}
	else if (month == 1 && mday >= 2 && mday <= 15)
	{
		*factor = 1.2;			/* January sales */
		*discount = 0.15;
	}
	else if (month == 7 && (mday == 15 || mday == 16))
	{
		*factor = 1.8;			/* mid-July sale */
		*discount = 0.15;
	}
}

/* Catalogue and calendar of a call. */
static DgWorld *
dg_world(uint64 seed, int days, DateADT start)
{
	static const double weekly[7] = {1.20, 0.95, 0.90, 0.90, 0.95, 1.00, 1.15};	/* Sunday first */
	DgWorld    *w = palloc0(sizeof(DgWorld));
	int			p,
				t;

	w->seed = seed;
	w->days = days;
	w->start = start;
	for (p = 0; p < DG_PRODUCTS; p++)
	{
		NnRng		rng;

		nn_rng_seed(&rng, dg_mix(seed ^ UINT64CONST(0x70726f64756374), (uint64) p));
		w->products[p].price = exp(dg_category_log_price[p / DG_PRODUCTS_PER_CATEGORY] + 0.45 * nn_rng_normal(&rng));
		w->products[p].appeal = nn_rng_normal(&rng);
	}
	/* some categories' products appeal more than others' (same for every product of one) */
	for (p = 0; p < DG_PRODUCTS; p += DG_PRODUCTS_PER_CATEGORY)
	{
		NnRng		rng;
		double		shift;
		int			q;

		nn_rng_seed(&rng, dg_mix(seed ^ UINT64CONST(0x63617465676f7279), (uint64) p));
		shift = 0.6 * nn_rng_normal(&rng);
		for (q = p; q < p + DG_PRODUCTS_PER_CATEGORY; q++)
			w->products[q].appeal += shift;
	}
	w->calendar = palloc(sizeof(DgDay) * days);
	for (t = 0; t < days; t++)
	{
		int			jd = start + t + POSTGRES_EPOCH_JDATE;
		int			year,
					month,
					mday,
					wday = j2day(jd);
		double		doy,
					factor,
					discount;

		j2date(jd, &year, &month, &mday);
		doy = jd - date2j(year, 1, 1);
		dg_special_day(month, mday, wday, &factor, &discount);
		w->calendar[t].date = start + t;
		w->calendar[t].discount = discount;
		w->calendar[t].activity = weekly[wday] * (1.0 + 0.2 * cos(2.0 * M_PI * (doy - 355.0) / 365.25)) * factor;
	}
	return w;
}

/* Draw a user's attributes and traits; the same for a (seed, user_id) in every call. */
static void
dg_user(const DgWorld *w, int64 user_id, DgUser *u)
{
	NnRng	   *rng = &u->rng;

	nn_rng_seed(rng, dg_mix(w->seed, (uint64) user_id));
	if (nn_rng_uniform(rng) < 0.6)
		u->signup_offset = -1 - (int) nn_rng_below(rng, 730);
	else
		u->signup_offset = (int) nn_rng_below(rng, (uint64) w->days);
	u->region = dg_pick(rng, dg_region_share, lengthof(dg_region_share));
	u->device = dg_pick(rng, dg_device_share, lengthof(dg_device_share));
	u->channel = dg_pick(rng, dg_channel_share, lengthof(dg_channel_share));
	u->engagement = nn_rng_normal(rng);
	u->rate = exp(-2.6 + 0.6 * u->engagement + 0.7 * nn_rng_normal(rng)) * dg_channel_rate[u->channel];
	u->buy = 0.6 * u->engagement + 0.8 * nn_rng_normal(rng) + dg_channel_buy[u->channel]
		+ (u->device == 1 ? 0.3 : u->device == 0 ? -0.2 : 0.0);
	u->price_sensitivity = exp(0.4 * nn_rng_normal(rng));
	u->clickiness = nn_rng_normal(rng) + dg_channel_click[u->channel];
	u->favourite = dg_pick(rng, dg_category_share, DG_CATEGORIES);
	do
		u->second = dg_pick(rng, dg_category_share, DG_CATEGORIES);
	while (u->second == u->favourite);
	u->drift_tau = nn_rng_uniform(rng) < 0.35 ? 20.0 + 100.0 * nn_rng_uniform(rng) : 0.0;
	u->hazard = 0.004 * exp(-0.4 * u->engagement);
}

/* A category from the user's affinity: favourite, second, or by overall popularity. */
static int
dg_user_category(DgUser *u)
{
	double		r = nn_rng_uniform(&u->rng);

	if (r < 0.55)
		return u->favourite;
	if (r < 0.75)
		return u->second;
	return dg_pick(&u->rng, dg_category_share, DG_CATEGORIES);
}

/* A product of a category, popular ranks far more often than the tail. */
static int
dg_product_in(NnRng *rng, int category)
{
	int			rank = (int) (DG_PRODUCTS_PER_CATEGORY * pow(nn_rng_uniform(rng), 2.5));

	return category * DG_PRODUCTS_PER_CATEGORY + Min(rank, DG_PRODUCTS_PER_CATEGORY - 1);
}

/* The output row of one event, appended to the result. */
typedef struct DgEmitter
{
	ReturnSetInfo *rsinfo;
	int64		next_event_id;
	int64		next_session_id;
	text	   *type_text[lengthof(dg_event_types)];
	text	   *category_text[DG_CATEGORIES];
} DgEmitter;

/* Append one event; product < 0 means none, quantity <= 0 means NULL. */
static void
dg_emit(DgEmitter *em, int64 user_id, int64 session_id, TimestampTz ts, int type,
		int product, double price, int quantity)
{
	Datum		values[9];
	bool		nulls[9] = {false, false, false, false, false, false, false, false, false};

	values[0] = Int64GetDatum(em->next_event_id++);
	values[1] = Int32GetDatum((int32) user_id);
	values[2] = Int64GetDatum(session_id);
	values[3] = TimestampTzGetDatum(ts);
	values[4] = PointerGetDatum(em->type_text[type]);
	if (product < 0)
	{
		nulls[5] = nulls[6] = nulls[7] = true;
		values[5] = values[6] = values[7] = (Datum) 0;
	}
	else
	{
		values[5] = Int32GetDatum(1000 * (product / DG_PRODUCTS_PER_CATEGORY + 1) + product % DG_PRODUCTS_PER_CATEGORY + 1);
		values[6] = PointerGetDatum(em->category_text[product / DG_PRODUCTS_PER_CATEGORY]);
		values[7] = Float8GetDatum(round(price * 100.0) / 100.0);
	}
	nulls[8] = quantity <= 0;
	values[8] = Int32GetDatum(Max(quantity, 0));
	tuplestore_putvalues(em->rsinfo->setResult, em->rsinfo->setDesc, values, nulls);
}

/* Sort a few doubles ascending (insertion sort: at most DG_MAX_SESSIONS_PER_DAY). */
static void
dg_sort_small(double *x, int n)
{
	int			i,
				j;

	for (i = 1; i < n; i++)
	{
		double		v = x[i];

		for (j = i - 1; j >= 0 && x[j] > v; j--)
			x[j + 1] = x[j];
		x[j + 1] = v;
	}
}

/* Simulate one user's whole period, day by day, session by session. */
static void
dg_simulate_user(const DgWorld *w, int64 user_id, DgEmitter *em)
{
	DgUser		u;
	NnRng	   *rng = &u.rng;
	int			first_day,
				t,
				sessions_so_far = 0,
				last_bought = -1;
	double		hazard;

	dg_user(w, user_id, &u);
	if (u.signup_offset >= w->days)
		return;
	first_day = Max(u.signup_offset, 0);
	hazard = u.hazard;
	/* existing customers are returning visitors from their first session in the period */
	if (u.signup_offset < 0)
		sessions_so_far = 1;
	for (t = first_day; t < w->days; t++)
	{
		const DgDay *day = &w->calendar[t];
		double		lambda,
					starts[DG_MAX_SESSIONS_PER_DAY];
		int			n_sessions,
					s;

		if (nn_rng_uniform(rng) < hazard)
			break;				/* churned: never comes back */
		lambda = u.rate * day->activity;
		if (u.drift_tau > 0.0)
			lambda *= exp(-(t - first_day) / u.drift_tau);
		n_sessions = dg_poisson(rng, Min(lambda, 15.0));
		if (t == u.signup_offset)
			n_sessions = Max(n_sessions, 1);	/* a new user signs up during a visit */
		n_sessions = Min(n_sessions, DG_MAX_SESSIONS_PER_DAY);
		for (s = 0; s < n_sessions; s++)
		{
			double		hour = nn_rng_uniform(rng) < 0.7 ? 20.0 + 3.0 * nn_rng_normal(rng)
			: 12.0 + 3.0 * nn_rng_normal(rng);

			hour = fmod(hour + 48.0, 24.0);
			starts[s] = hour * 3600.0;
		}
		dg_sort_small(starts, n_sessions);

		for (s = 0; s < n_sessions; s++)
		{
			int64		session_id = em->next_session_id++;
			bool		returning = sessions_so_far > 0;
			double		sec = starts[s];
			TimestampTz day_ts = (TimestampTz) day->date * USECS_PER_DAY;
			int			cart[DG_MAX_CART],
						cart_qty[DG_MAX_CART];
			double		cart_price[DG_MAX_CART];
			int			n_cart = 0,
						n_views,
						v,
						c;
			double		mean_views = (1.5 + 2.0 * exp(0.3 * u.engagement)) * (returning ? 1.0 : 0.7),
						cart_value = 0.0,
						p_buy;

#define DG_TS() (day_ts + (TimestampTz) (sec * 1e6))
			if (returning && last_bought >= 0 && nn_rng_uniform(rng) < 0.15)
			{
				dg_emit(em, user_id, session_id, DG_TS(), EV_REVIEW, last_bought,
						w->products[last_bought].price * (1.0 - day->discount), 0);
				last_bought = -1;
				sec += 20.0 + 60.0 * nn_rng_uniform(rng);
			}
			n_views = 1 + dg_geometric(rng, mean_views, DG_MAX_VIEWS - 1);
			for (v = 0; v < n_views; v++)
			{
				int			category = dg_user_category(&u);
				int			product = dg_product_in(rng, category);
				double		price = w->products[product].price * (1.0 - day->discount);
				double		typical = exp(dg_category_log_price[category]);
				double		p_cart;
				int			n_ads,
							a;

				dg_emit(em, user_id, session_id, DG_TS(), EV_VIEW, product, price, 0);
				sec += 1.0 - 45.0 * log(1.0 - nn_rng_uniform(rng));
				p_cart = dg_sigmoid(-2.5 + 0.4 * u.engagement + 0.7 * (category == u.favourite)
									+ 0.3 * w->products[product].appeal
									- 0.8 * u.price_sensitivity * log(price / typical)
									+ 2.5 * u.price_sensitivity * day->discount);
				if (n_cart < DG_MAX_CART && nn_rng_uniform(rng) < p_cart)
				{
					int			qty = 1 + dg_geometric(rng, category == 7 ? 1.5 : 0.25, 20);

					cart[n_cart] = product;
					cart_qty[n_cart] = qty;
					cart_price[n_cart] = price;
					n_cart++;
					cart_value += price * qty;
					dg_emit(em, user_id, session_id, DG_TS(), EV_ADD_TO_CART, product, price, qty);
					sec += 2.0 + 10.0 * nn_rng_uniform(rng);
				}
				/* second thoughts about an earlier item */
				for (c = 0; c < n_cart - 1; c++)
				{
					if (nn_rng_uniform(rng) < 0.06)
					{
						dg_emit(em, user_id, session_id, DG_TS(), EV_REMOVE_FROM_CART, cart[c], cart_price[c], cart_qty[c]);
						cart_value -= cart_price[c] * cart_qty[c];
						cart[c] = cart[n_cart - 1];
						cart_qty[c] = cart_qty[n_cart - 1];
						cart_price[c] = cart_price[n_cart - 1];
						n_cart--;
						sec += 2.0 + 5.0 * nn_rng_uniform(rng);
						break;
					}
				}
				/* ads shown beside this page */
				n_ads = dg_poisson(rng, (0.6 + 0.1 * n_views) / n_views);
				for (a = 0; a < n_ads; a++)
				{
					int			ad_category = nn_rng_uniform(rng) < 0.5 ? u.favourite
					: dg_pick(rng, dg_category_share, DG_CATEGORIES);
					int			ad_product = dg_product_in(rng, ad_category);
					double		ad_price = w->products[ad_product].price * (1.0 - day->discount);

					dg_emit(em, user_id, session_id, DG_TS(), EV_AD_IMPRESSION, ad_product, ad_price, 0);
					if (nn_rng_uniform(rng) < dg_sigmoid(-3.3 + 0.8 * u.clickiness + 1.2 * (ad_category == u.favourite)
														 + 0.8 * w->products[ad_product].appeal
														 + 0.3 * (u.device == 0)))
					{
						sec += 1.0 + 4.0 * nn_rng_uniform(rng);
						dg_emit(em, user_id, session_id, DG_TS(), EV_AD_CLICK, ad_product, ad_price, 0);
						sec += 1.0 + 2.0 * nn_rng_uniform(rng);
						dg_emit(em, user_id, session_id, DG_TS(), EV_VIEW, ad_product, ad_price, 0);
						sec += 1.0 - 45.0 * log(1.0 - nn_rng_uniform(rng));
					}
				}
			}
			if (n_cart > 0)
			{
				p_buy = dg_sigmoid(-0.3 + 0.8 * u.buy + (returning ? 0.6 : -0.5) + 3.0 * day->discount
								   - 0.35 * u.price_sensitivity * log(1.0 + Max(cart_value, 0.0) / 50.0)
								   + 0.05 * Min(n_views, 20));
				if (nn_rng_uniform(rng) < p_buy)
				{
					sec += 30.0 + 90.0 * nn_rng_uniform(rng);
					for (c = 0; c < n_cart; c++)
					{
						dg_emit(em, user_id, session_id, DG_TS(), EV_PURCHASE, cart[c], cart_price[c], cart_qty[c]);
						sec += 1.0;
					}
					last_bought = cart[n_cart - 1];
					hazard *= 0.75;
				}
				else
					hazard = Min(hazard * 1.3, 0.2);	/* abandoned */
			}
#undef DG_TS
			sessions_so_far++;
		}
	}
}

/* Rows (user_id, signup_date, region, device, channel) of users 1..n_users. */
Datum
ubehav_demo_users(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		n_users = PG_GETARG_INT32(0);
	int32		days = PG_GETARG_INT32(1);
	int64		seed = PG_GETARG_INT64(2);
	DateADT		start = PG_GETARG_DATEADT(3);
	DgWorld    *w;
	int64		id;

	dg_check_args(n_users, days, start);
	InitMaterializedSRF(fcinfo, 0);
	w = dg_world((uint64) seed, days, start);
	for (id = 1; id <= n_users; id++)
	{
		DgUser		u;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		CHECK_FOR_INTERRUPTS();
		dg_user(w, id, &u);
		if (u.signup_offset >= days)
			continue;
		values[0] = Int32GetDatum((int32) id);
		values[1] = DateADTGetDatum(start + u.signup_offset);
		values[2] = CStringGetTextDatum(dg_regions[u.region]);
		values[3] = CStringGetTextDatum(dg_devices[u.device]);
		values[4] = CStringGetTextDatum(dg_channels[u.channel]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* Rows (event_id, user_id, session_id, ts, event_type, product_id, category, price, quantity). */
Datum
ubehav_demo_events(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		n_users = PG_GETARG_INT32(0);
	int32		days = PG_GETARG_INT32(1);
	int64		seed = PG_GETARG_INT64(2);
	DateADT		start = PG_GETARG_DATEADT(3);
	DgWorld    *w;
	DgEmitter	em;
	MemoryContext user_cxt,
				old;
	int64		id;
	int			i;

	dg_check_args(n_users, days, start);
	InitMaterializedSRF(fcinfo, 0);
	w = dg_world((uint64) seed, days, start);
	em.rsinfo = rsinfo;
	em.next_event_id = 1;
	em.next_session_id = 1;
	for (i = 0; i < (int) lengthof(dg_event_types); i++)
		em.type_text[i] = cstring_to_text(dg_event_types[i]);
	for (i = 0; i < DG_CATEGORIES; i++)
		em.category_text[i] = cstring_to_text(dg_categories[i]);
	/* tuplestore_putvalues copies each row; anything else per user is freed per user */
	user_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav demo user", ALLOCSET_SMALL_SIZES);
	for (id = 1; id <= n_users; id++)
	{
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(user_cxt);
		dg_simulate_user(w, id, &em);
		MemoryContextSwitchTo(old);
		MemoryContextReset(user_cxt);
	}
	MemoryContextDelete(user_cxt);
	return (Datum) 0;
}
