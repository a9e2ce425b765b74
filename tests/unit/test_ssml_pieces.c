/* Cutting a streaming SSML document into pieces that are documents of their
 * own: the pieces cover the input exactly, each is well-formed SSML (the
 * converter accepts it), open elements are closed and opened again, cuts fall
 * only after a sentence end in text, and markup split across feeds is read
 * whole. */
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"
#include "ssml_pieces.h"

typedef struct result {
    ks_buf joined;  /* the pieces' input slices, one after another */
    ks_buf docs;    /* the pieces as documents, separated by '\n---\n' */
    int n;
    int all_valid;
} result;

/* Feed `doc` `step` bytes at a time, cutting as the reader does. */
static void run(const char *doc, size_t step, size_t min_piece, result *res)
{
    memset(res, 0, sizeof *res);
    res->all_valid = 1;
    ssml_pieces p;
    ssml_pieces_init(&p);
    ks_buf pending = {0};
    size_t start = 0, len = strlen(doc);
    for (size_t fed = 0; fed <= len;) {
        size_t take = len - fed < step ? len - fed : step;
        ks_buf_append(&pending, doc + fed, take);
        fed += take;
        int eof = fed == len;
        size_t n;
        while (start < pending.len &&
               (n = ssml_pieces_next(&p, pending.data + start, pending.len - start, eof, min_piece, 0)) > 0) {
            ks_buf one = {0};
            CHECK_INT(ssml_pieces_take(&p, pending.data + start, n, eof && start + n == pending.len, &one), 0);
            ks_buf_append(&res->joined, pending.data + start, n);
            ks_buf_append(&res->docs, one.data, one.len);
            ks_buf_puts(&res->docs, "\n---\n");
            ks_buf out = {0};
            ks_error err;
            if (ks_ssml_to_espeak(NULL, NULL, KS_SCRIPT_CYRL, one.data, one.len, &out, NULL, &err) != KS_OK) {
                fprintf(stderr, "piece %d not valid: %s\n%s\n", res->n, err.msg, one.data);
                res->all_valid = 0;
            }
            ks_buf_free(&out);
            ks_buf_free(&one);
            res->n++;
            start += n;
        }
        if (eof)
            break;
    }
    ks_buf_free(&pending);
    ssml_pieces_free(&p);
}

static void free_result(result *r)
{
    ks_buf_free(&r->joined);
    ks_buf_free(&r->docs);
}

int main(void)
{
    const char *doc =
        "<?xml version=\"1.0\"?>\n"
        "<speak version=\"1.0\" xmlns=\"http://www.w3.org/2001/10/synthesis\" xml:lang=\"kk\">\n"
        "<!-- a comment with < and > and a sentence. Here -->\n"
        "<p><prosody rate=\"fast\" pitch=\"+10%\">Бірінші сөйлем. Екінші сөйлем! <mark name=\"m1\"/>"
        "Үшінші? <emphasis>Төртінші сөйлем. Бесінші.</emphasis> Алтыншы «тырнақша.» Жетінші…  "
        "<say-as interpret-as=\"characters\">ҚР. ҚР.</say-as> Сегізінші.</prosody></p>\n"
        "<p><![CDATA[Тоғызыншы. <not a tag>]]> Оныншы.</p>\n"
        "</speak>\n";
    size_t steps[] = {1, 2, 3, 7, 64, 100000};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        result r;
        run(doc, steps[k], 1, &r);
        CHECK_STR(r.joined.data, doc); /* the pieces cover the document exactly */
        CHECK(r.all_valid);
        CHECK_INT(r.n, 11);
        CHECK(strstr(r.docs.data, "Бесінші.</emphasis> </prosody></p></speak>") != NULL);
        CHECK(strstr(r.docs.data, "Жетінші… </prosody></p></speak>") != NULL);
        /* the cut inside <prosody> closes and reopens it with its attributes */
        CHECK(strstr(r.docs.data, "Бірінші сөйлем. </prosody></p></speak>") != NULL);
        CHECK(strstr(r.docs.data, "<prosody rate=\"fast\" pitch=\"+10%\">Екінші") != NULL);
        /* never inside say-as, a comment or CDATA */
        CHECK(strstr(r.docs.data, "ҚР. </say-as>") == NULL);
        CHECK(strstr(r.docs.data, "sentence. </") == NULL);
        CHECK(strstr(r.docs.data, "Тоғызыншы. ]]") == NULL);
        /* a terminator inside closing quotes still ends the sentence */
        CHECK(strstr(r.docs.data, "«тырнақша.» </") != NULL);
        free_result(&r);
    }
    /* min_piece: no cut before that many bytes, except before a mark that follows a
     * sentence end (eSpeak NG would drop it inside one text) */
    result big;
    run(doc, 5, 100000, &big);
    CHECK_INT(big.n, 2);
    CHECK(strstr(big.docs.data, "Екінші сөйлем! </prosody></p></speak>") != NULL);
    CHECK(strstr(big.docs.data, "pitch=\"+10%\"><mark name=\"m1\"/>Үшінші?") != NULL);
    CHECK_STR(big.joined.data, doc);
    free_result(&big);
    /* the last piece closes what is open itself: an unclosed document stays an error */
    result open_doc;
    run("<speak><p>Бір. Екі. Үш.", 2, 1, &open_doc);
    CHECK(!open_doc.all_valid);
    free_result(&open_doc);
    /* a stray end tag stops all further cuts: the rest is one piece */
    result broken;
    run("<speak>Бір. Екі.</p> Үш. Төрт. </speak>", 3, 1, &broken);
    CHECK_INT(broken.n, 2);
    CHECK(!broken.all_valid);
    free_result(&broken);
    return check_done();
}
