#ifndef VIGIE_CLIBXML2_SHIM_H
#define VIGIE_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU; its headers then pull in the system ICU,
// whose UErrorCode clashes with the ICU bundled in Foundation. We never use
// libxml2's ICU encoding handlers, so drop the flag before the other headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>

// `xmlFree` is a global function pointer, which Swift 6 refuses as shared
// mutable state; this wrapper calls it.
static inline void vigie_xmlFree(void *ptr) { xmlFree(ptr); }

#endif
