/* photo.h - a photo checked by its content (photo.c): what the upload does with the bytes
 * once they are out of their base64 (also the photo fuzzer's entry), the store of photos
 * by content and their serving: an event's photos and an article's picture. */
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

/* Check the photo in data (base64, or a data: URL) as photo k of field (photo_read) and
 * store its bytes and thumbnail once per content in event_photo_blob, inside the caller's
 * transaction. *info gets a new {"file_name" (name made safe to show: "照片" for NULL),
 * "type", "size", "width", "height", "sha256"}. 0, or -1
 * with e (413 too large, 422 not a photo, 500). An event's photos and an article's
 * picture (article.c) are stored this way. */
int photo_put(struct ent_ctx *c, const char *data, const char *name, int k, const char *field,
              json_t **info, struct verr *e);

struct req;
/* Answer the stored photo sha256 (thumb 0) or its JPEG thumbnail (1), typed as sniffed
 * when stored; 404 when there is none (sha256 NULL). The caller has checked access. */
void photo_serve(struct req *r, const char *sha256, int thumb);

#endif
