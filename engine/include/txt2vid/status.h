/* txt2vid: status codes and error text shared by every engine call.
 *
 * The engine never prints, exits or aborts on bad input. Every call that can
 * fail returns a t2v_status; the message that explains the last failure on
 * the calling thread is kept and can be read with t2v_last_error().
 */
#ifndef TXT2VID_STATUS_H
#define TXT2VID_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum t2v_status {
    T2V_OK = 0,
    T2V_ERR_INVALID = 1,     /* a bad argument: NULL, out of range, wrong shape */
    T2V_ERR_IO = 2,          /* a file could not be opened, read or written */
    T2V_ERR_FORMAT = 3,      /* a file is corrupt, truncated or not ours */
    T2V_ERR_NOMEM = 4,       /* an allocation failed or a size overflowed */
    T2V_ERR_UNSUPPORTED = 5, /* valid, but not available (no CUDA, wrong model kind) */
    T2V_ERR_BACKEND = 6,     /* the compute backend reported a failure */
} t2v_status;

/* A short constant name for a status ("invalid argument", ...). */
const char *t2v_status_name(t2v_status s);

/* The message of the last failure on this thread ("" when none). The text
 * stays valid until the next failing engine call on the same thread. */
const char *t2v_last_error(void);

/* Clears the message of this thread. */
void t2v_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
