// Debian's libxml2 is built with ICU and its headers then include the system ICU's; nothing here uses libxml2's
// ICU encoding handlers, so drop the flag before the other headers (as the CLibXML2 shim does).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

#include "xml_walk.h"

int vigie_xml_walk_file(const char *path, vigie_xml_walk_result *out) {
    memset(out, 0, sizeof *out);
    int options = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT;
    xmlTextReaderPtr reader = xmlReaderForFile(path, NULL, options);
    if (reader == NULL) return -1;
    int r;
    while ((r = xmlTextReaderRead(reader)) == 1) {
        switch (xmlTextReaderNodeType(reader)) {
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA: {
            const xmlChar *value = xmlTextReaderConstValue(reader);
            if (value == NULL) break;
            size_t length = strlen((const char *)value);
            char *copy = malloc(length + 1);
            if (copy == NULL) break;
            memcpy(copy, value, length + 1);
            out->text_bytes += (long long)length;
            out->text_nodes += 1;
            // Read the copy back so the compiler cannot drop it.
            if (copy[0] == '\x01') out->text_bytes += 1;
            free(copy);
            break;
        }
        case XML_READER_TYPE_ELEMENT: {
            const xmlChar *name = xmlTextReaderConstLocalName(reader);
            if (name != NULL && (strcmp((const char *)name, "item") == 0 || strcmp((const char *)name, "entry") == 0))
                out->items += 1;
            break;
        }
        default:
            break;
        }
    }
    xmlFreeTextReader(reader);
    return r == 0 ? 0 : 1;
}
