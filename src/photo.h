/* photo.h - an event's photo checked by its content (photo.c): what the upload does with
 * the bytes once they are out of their base64 (also the photo fuzzer's entry). */
#ifndef QIAO_PHOTO_H
#define QIAO_PHOTO_H
#include <stddef.h>
#include <stdint.h>

#include "entity.h"

/* The n bytes at bin as photo k (1-based) of field: a JPEG or PNG by its first bytes, of a
 * size within the limit, decoded whole by libgd to the size its header says, and its JPEG
 * thumbnail made: *type, *w, *h, and *thumb (gdFree) of *tlen bytes. 0, or -1 with e (422
 * naming field; *thumb NULL). */
int photo_read(const unsigned char *bin, size_t n, int k, const char *field, const char **type,
               uint32_t *w, uint32_t *h, void **thumb, int *tlen, struct verr *e);

#endif
