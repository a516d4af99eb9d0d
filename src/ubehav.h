/* ubehav.h: settings shared by the glue. */
#ifndef UBEHAV_H
#define UBEHAV_H

extern int	ub_model_cache_size;		/* ubehav.model_cache_size */
extern int	ub_max_parameters;			/* ubehav.max_parameters */
extern int	ub_max_training_memory;		/* ubehav.max_training_memory, in MB */
extern int	ub_verbose;		/* ubehav.progress: progress NOTICEs when the options do not say */

#endif
