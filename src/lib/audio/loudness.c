/* loudness.c - EBU R128 measurement (libebur128) and the limited gain plan
 * (see loudness.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "loudness.h"
#include "status.h"

#define RELEASE_DB_PER_S 150.0
#define LOOKAHEAD_BLOCKS 2

struct loud_meter {
    ebur128_state *st;
};

struct loud {
    loud_meter m;        /* pass-1 meter (integrated + true peak) */
    int rate;
    size_t block;        /* frames per 10 ms block */
    size_t in_block;     /* frames of the current block seen so far */
    float cur_peak;      /* its true peak so far */
    float *peak;         /* true peak (linear) of each finished block */
    size_t n, cap;
    float *gain;         /* planned gain at the start of each block (n + 1 values) */
};

static ks_status meter_init(loud_meter *m, int rate, int true_peak, ks_error *err)
{
    int mode = EBUR128_MODE_I | (true_peak ? EBUR128_MODE_TRUE_PEAK : 0);
    m->st = ebur128_init(1, (unsigned long)rate, mode);
    if (!m->st)
        return status_set(err, KS_ENOMEM, "loudness meter: out of memory or bad rate %d", rate);
    return KS_OK;
}

ks_status loud_meter_new(loud_meter **out, int rate, int true_peak, ks_error *err)
{
    loud_meter *m = calloc(1, sizeof *m);
    if (!m)
        return status_set(err, KS_ENOMEM, "loudness meter: out of memory");
    ks_status st = meter_init(m, rate, true_peak, err);
    if (st != KS_OK) {
        free(m);
        return st;
    }
    *out = m;
    return KS_OK;
}

ks_status loud_meter_add(loud_meter *m, const int16_t *pcm, size_t frames, ks_error *err)
{
    if (frames && ebur128_add_frames_short(m->st, pcm, frames) != EBUR128_SUCCESS)
        return status_set(err, KS_ENOMEM, "loudness meter failed (out of memory)");
    return KS_OK;
}

double loud_meter_lufs(const loud_meter *m)
{
    double v;
    if (ebur128_loudness_global(m->st, &v) != EBUR128_SUCCESS)
        return -HUGE_VAL;
    return v;
}

double loud_meter_true_peak_dbtp(const loud_meter *m)
{
    double tp = 0;
    if (ebur128_true_peak(m->st, 0, &tp) != EBUR128_SUCCESS || tp <= 0)
        return -HUGE_VAL;
    return 20.0 * log10(tp);
}

void loud_meter_free(loud_meter *m)
{
    if (m) {
        if (m->st)
            ebur128_destroy(&m->st);
        free(m);
    }
}

ks_status loud_new(loud **out, int rate, ks_error *err)
{
    loud *l = calloc(1, sizeof *l);
    if (!l)
        return status_set(err, KS_ENOMEM, "loudness: out of memory");
    ks_status st = meter_init(&l->m, rate, 1, err);
    if (st != KS_OK) {
        free(l);
        return st;
    }
    l->rate = rate;
    l->block = (size_t)rate / 100;
    if (l->block == 0)
        l->block = 1;
    *out = l;
    return KS_OK;
}

void loud_free(loud *l)
{
    if (l) {
        if (l->m.st)
            ebur128_destroy(&l->m.st);
        free(l->peak);
        free(l->gain);
        free(l);
    }
}

static int push_peak(loud *l, float p)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4096;
        float *v = realloc(l->peak, nc * sizeof *v);
        if (!v)
            return -1;
        l->peak = v;
        l->cap = nc;
    }
    l->peak[l->n++] = p;
    return 0;
}

ks_status loud_add(loud *l, const int16_t *pcm, size_t frames, ks_error *err)
{
    while (frames) {
        size_t k = l->block - l->in_block;
        if (k > frames)
            k = frames;
        if (ebur128_add_frames_short(l->m.st, pcm, k) != EBUR128_SUCCESS)
            return status_set(err, KS_ENOMEM, "loudness meter failed (out of memory)");
        double tp = 0;
        ebur128_prev_true_peak(l->m.st, 0, &tp);
        if ((float)tp > l->cur_peak)
            l->cur_peak = (float)tp;
        l->in_block += k;
        pcm += k;
        frames -= k;
        if (l->in_block == l->block) {
            if (push_peak(l, l->cur_peak) != 0)
                return status_set(err, KS_ENOMEM, "loudness: out of memory");
            l->in_block = 0;
            l->cur_peak = 0;
        }
    }
    return KS_OK;
}

double loud_measured(const loud *l)
{
    return loud_meter_lufs(&l->m);
}

int loud_plan(loud *l, double gain_db, double ceiling_dbtp)
{
    /* the unfinished last block counts as one */
    if (l->in_block) {
        if (push_peak(l, l->cur_peak) != 0)
            return -1;
        l->in_block = 0;
        l->cur_peak = 0;
    }
    size_t n = l->n;
    free(l->gain);
    l->gain = malloc((n + 1) * sizeof *l->gain);
    if (!l->gain)
        return -1;
    double g = pow(10.0, gain_db / 20.0), c = pow(10.0, ceiling_dbtp / 20.0);
    int limited = 0;
    /* the limit of each block, then the minimum over the look-ahead window */
    for (size_t b = 0; b < n; b++) {
        double a = g;
        size_t lo = b >= LOOKAHEAD_BLOCKS ? b - LOOKAHEAD_BLOCKS : 0;
        for (size_t k = lo; k <= b + LOOKAHEAD_BLOCKS && k < n; k++)
            if (l->peak[k] > 0 && c / l->peak[k] < a)
                a = c / l->peak[k];
        if (a < g)
            limited = 1;
        l->gain[b] = (float)a;
    }
    l->gain[n] = n ? l->gain[n - 1] : (float)g;
    /* release: the gain rises at most RELEASE_DB_PER_S; falls are already
     * early through the look-ahead window */
    double up = pow(10.0, RELEASE_DB_PER_S / 100.0 / 20.0);
    for (size_t b = 1; b <= n; b++)
        if (l->gain[b] > l->gain[b - 1] * up)
            l->gain[b] = (float)(l->gain[b - 1] * up);
    return limited;
}

void loud_apply(const loud *l, uint64_t pos, const int16_t *in, int16_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++, pos++) {
        uint64_t b = pos / l->block;
        double g;
        if (b >= l->n) {
            g = l->gain[l->n];
        } else {
            double t = (double)(pos % l->block) / (double)l->block;
            g = l->gain[b] + (l->gain[b + 1] - l->gain[b]) * t;
        }
        double v = in[i] * g;
        if (v > 32767.0)
            v = 32767.0;
        else if (v < -32768.0)
            v = -32768.0;
        out[i] = (int16_t)lrint(v);
    }
}
