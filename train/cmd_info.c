/* txt2vid info: what a weights file holds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/cli.h"
#include "train/common/captions.h"
#include "txt2vid/weights.h"

typedef struct word_score {
    const char *word;
    double score;
} word_score;

static int by_score_desc(const void *a, const void *b)
{
    double x = ((const word_score *)a)->score, y = ((const word_score *)b)->score;
    return (x < y) - (x > y);
}

/* A generator whose picture attends to the caption's words (TGANs-C's
 * gen.attend.score, StackGAN's glyph s1.attend.score): every word of the
 * vocabulary with its score. Within a caption, a word gets exp(its score
 * - another's) times that word's weight, so the words at the top are the
 * ones pictures are drawn from. */
static void print_attention(const t2v_weights *w)
{
    t2v_weights_tensor att;
    if (t2v_weights_find_tensor(w, "gen.attend.score", &att) != T2V_OK &&
        t2v_weights_find_tensor(w, "s1.attend.score", &att) != T2V_OK)
        return;
    t2v_vocab v;
    if (t2v_vocab_read(w, &v) != T2V_OK)
        return;
    int n = v.count < att.numel ? v.count : (int)att.numel;
    word_score *ws = malloc((size_t)(n > 0 ? n : 1) * sizeof *ws);
    if (ws) {
        for (int i = 0; i < n; i++) {
            ws[i].word = v.words[i];
            ws[i].score = att.data[i];
        }
        qsort(ws, (size_t)n, sizeof *ws, by_score_desc);
        printf("\npicture attention: each word's score, highest first (within a caption a "
               "word\nweighs exp(score difference) times another)\n");
        for (int i = 0; i < n; i++)
            printf("  %-16s %8.3f\n", ws[i].word, ws[i].score);
        free(ws);
    }
    t2v_weights_tensor pos;
    if (t2v_weights_find_tensor(w, "gen.attend.pos", &pos) == T2V_OK && pos.ndim == 2) {
        printf("\neach picture's positional bias (added to the word's score), its three "
               "highest\nvalues above 0.001\n");
        for (int64_t k = 0; k < pos.shape[0]; k++) {
            const float *b = pos.data + k * pos.shape[1];
            printf("  picture %lld:", (long long)k + 1);
            float below = INFINITY; /* each pass takes the highest under the last one */
            for (int j = 0; j < 3; j++) {
                int64_t best = -1;
                for (int64_t t = 0; t < pos.shape[1]; t++)
                    if (b[t] < below && b[t] > 1e-3f && (best < 0 || b[t] > b[best]))
                        best = t;
                if (best < 0)
                    break;
                printf("%s word %lld %.3f", j ? "," : "", (long long)best + 1, b[best]);
                below = b[best];
            }
            printf("\n");
        }
    }
    t2v_vocab_free(&v);
}

int t2v_cmd_info(int argc, char **argv)
{
    if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc == 2 ? stdout : stderr, "usage: txt2vid info FILE\n");
        return argc == 2 ? 0 : 2;
    }
    t2v_weights *w;
    if (t2v_weights_open(argv[1], &w) != T2V_OK) {
        fprintf(stderr, "txt2vid info: %s\n", t2v_last_error());
        return 1;
    }
    size_t nkv = t2v_weights_kv_count(w), nt = t2v_weights_tensor_count(w);
    printf("%s: GGUF v%d, %zu metadata keys, %zu tensors\n\n", argv[1], T2V_GGUF_VERSION, nkv, nt);
    for (size_t i = 0; i < nkv; i++) {
        t2v_weights_kv kv;
        char value[400];
        if (t2v_weights_kv_at(w, i, &kv) == T2V_OK &&
            t2v_weights_format_value(w, i, value, sizeof value) == T2V_OK)
            printf("  %-32s %s\n", kv.key, value);
    }
    printf("\n");
    int64_t total = 0;
    for (size_t i = 0; i < nt; i++) {
        t2v_weights_tensor t;
        if (t2v_weights_tensor_at(w, i, &t) != T2V_OK)
            continue;
        char shape[128];
        size_t used = 0;
        shape[0] = '\0';
        for (int d = 0; d < t.ndim && used < sizeof shape; d++)
            used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%lld", d ? ", " : "",
                                     (long long)t.shape[d]);
        printf("  %-40s (%s)\n", t.name, shape);
        total += t.numel;
    }
    printf("\n%lld parameters in %zu tensors\n", (long long)total, nt);
    print_attention(w);
    t2v_weights_close(w);
    return 0;
}
