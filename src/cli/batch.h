/* batch.h - many texts to many audio files with worker processes (--batch). */
#ifndef KS_CLI_BATCH_H
#define KS_CLI_BATCH_H
#include "cli.h"

/* Check the option combination of --batch; n_operands = FILE|DIR arguments.
 * Prints its error; 0 ok, -1 usage error. */
int batch_check_opts(const cli_opts *o, int n_operands);
/* Run the batch: returns 0 when every input was written or skipped, 1 when
 * any failed, 128+signal when interrupted. */
int cli_run_batch(cli_ctx *c);

#endif
