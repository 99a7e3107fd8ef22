/* libFuzzer target for the weights reader: any bytes must either be refused
 * with T2V_ERR_FORMAT and a message, or load into a file whose every key,
 * value and tensor float can be read back consistently. Built with
 * -Dfuzz=true under clang (tests/io/run_fuzz.sh); ASan/UBSan catch any
 * out-of-bounds read, and abort() flags a broken promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "txt2vid/weights.h"
#include "weights_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t keep_reads; /* the checksum only keeps the reads alive */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    t2v_weights *w = NULL;
    t2v_status s = t2v_weights_open_memory(data, size, "fuzz", &w);
    if (s != T2V_OK) {
        /* Refusals are T2V_ERR_FORMAT (or NOMEM), never a half-open file. */
        if (w != NULL || (s != T2V_ERR_FORMAT && s != T2V_ERR_NOMEM) ||
            strncmp(t2v_last_error(), "weights file 'fuzz': ", 21) != 0)
            abort();
        return 0;
    }
    uint64_t checksum = 0;
    if (!exercise_weights(w, &checksum))
        abort();
    t2v_weights_close(w);
    keep_reads = checksum;
    return 0;
}
