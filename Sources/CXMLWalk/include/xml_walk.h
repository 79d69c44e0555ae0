#ifndef VIGIE_XML_WALK_H
#define VIGIE_XML_WALK_H

// The parse benchmark's baseline: a plain libxml2 `xmlTextReader` walk written in C, so `vigie-bench parse`
// compares Vigie's feed parser with what libxml2 alone costs, not with another Swift loop. Only the bench uses
// this target; the parser's own libxml2 access stays behind the `Parser` module. No libxml2 type appears here.

#include <stddef.h>

/// What one walk saw.
typedef struct {
    /// Bytes of text and CDATA copied out of the reader.
    long long text_bytes;
    /// Text and CDATA nodes copied.
    long long text_nodes;
    /// `item` and `entry` elements.
    long long items;
} vigie_xml_walk_result;

/// Walks the file at `path` with libxml2's own file input and encoding handling (options NONET | RECOVER |
/// NOERROR | NOWARNING | COMPACT, as Vigie's reader), copying every text and CDATA node into a freshly
/// malloc'ed buffer and freeing it. Returns 0 when the document was read to its end, -1 when libxml2 could not
/// open it, 1 when the reader stopped on an error (what was seen before is in `out`).
int vigie_xml_walk_file(const char *path, vigie_xml_walk_result *out);

#endif
