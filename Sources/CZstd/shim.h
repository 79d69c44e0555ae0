#ifndef VIGIE_CZSTD_SHIM_H
#define VIGIE_CZSTD_SHIM_H

#include <zstd.h>

// ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are macros over expressions ((0ULL - 1), (0ULL - 2)),
// which Swift does not import: a frame's content size, or -1 when the frame does not say it or is not a frame.
static inline long long vigie_zstd_content_size(const void *src, size_t srcSize) {
    unsigned long long size = ZSTD_getFrameContentSize(src, srcSize);
    // Both markers are above LLONG_MAX, as is any size no buffer could hold.
    return size > (unsigned long long)LLONG_MAX ? -1 : (long long)size;
}

#endif
