/* loudness.h - EBU R128 loudness with libebur128, and the gain that brings
 * speech to a target loudness under a true-peak ceiling (sink_file.c's
 * second pass).
 *
 * Pass 1 (loud_add while the speech is synthesized): integrated loudness,
 * and the true peak of every 10 ms block.  The plan (loud_plan): one gain
 * G = target - measured; in each block the gain may not exceed
 * ceiling / block peak; a look-ahead minimum over the neighbouring blocks
 * and a release of 150 dB/s smooth it; inside a block the gain moves linearly
 * from one block's value to the next, so it never exceeds the limit of any
 * block it touches.  Limiting lowers the loudness, so the plan is checked by
 * measuring the scaled speech and G is raised by the shortfall (at most 4
 * times, until within 0.1 LU). */
#ifndef KS_LOUDNESS_H
#define KS_LOUDNESS_H
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

typedef struct loud loud;

ks_status loud_new(loud **out, int rate, ks_error *err);
void loud_free(loud *l);
/* Pass 1: measure a piece of the input. */
ks_status loud_add(loud *l, const int16_t *pcm, size_t frames, ks_error *err);
/* Integrated loudness of what was added (-HUGE_VAL for silence). */
double loud_measured(const loud *l);

/* Gain walk over the input (after pass 1): loud_plan sets the gain G (dB)
 * and the ceiling (dBTP); loud_apply scales input frames [pos, pos+n) in
 * place (pos counted from 0 for each walk).  Returns 1 when any block was
 * limited. */
int loud_plan(loud *l, double gain_db, double ceiling_dbtp);
void loud_apply(const loud *l, uint64_t pos, const int16_t *in, int16_t *out, size_t n);

/* A fresh meter for measuring output (pass 2). */
typedef struct loud_meter loud_meter;
ks_status loud_meter_new(loud_meter **out, int rate, int true_peak, ks_error *err);
ks_status loud_meter_add(loud_meter *m, const int16_t *pcm, size_t frames, ks_error *err);
double loud_meter_lufs(const loud_meter *m);
double loud_meter_true_peak_dbtp(const loud_meter *m);
void loud_meter_free(loud_meter *m);

#endif
