/* libFuzzer target: an uploaded photo's bytes (photo_read in photo.c: the JPEG/PNG sniffing
 * of its header, libgd's decoding, the thumbnail), and the same input read as the upload's
 * base64 text first. Run with `make fuzz`. */
#include <gd.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

#include "photo.h"

static void one(const unsigned char *p, size_t n)
{
    const char *type = NULL;
    uint32_t w = 0, h = 0;
    void *thumb = NULL;
    int tlen = 0;
    struct verr e;
    if (photo_read(p, n, 1, "photos[0]", &type, &w, &h, &thumb, &tlen, &e) == 0)
        gdFree(thumb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size);
    size_t max = size / 4 * 3 + 3, n = 0;
    unsigned char *bin = malloc(max + 1);
    if (bin &&
        !sodium_base642bin(bin, max, (const char *)data, size, " \r\n", &n, NULL,
                           sodium_base64_VARIANT_ORIGINAL) &&
        n)
        one(bin, n);
    free(bin);
    return 0;
}
