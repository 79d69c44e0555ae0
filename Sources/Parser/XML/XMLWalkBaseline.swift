import CLibXML2
import Foundation

/// The benchmark baseline for the parser: a bare libxml2 `xmlTextReader` walk that copies every text node into a
/// Swift string and counts `item`/`entry` elements, and nothing else. `vigie-bench parse` measures Vigie's full
/// feed parser against it on the same files in the same run.
public enum XMLWalkBaseline {
    /// What one walk saw.
    public struct Result: Sendable {
        public var textBytes = 0
        public var textNodes = 0
        public var items = 0
    }

    /// Walks the file at `path` with libxml2's own file input and encoding handling.
    public static func walk(path: String) throws -> Result {
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_RECOVER.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        guard let reader = xmlReaderForFile(path, nil, options) else {
            throw ParserError.unreadable(document: path, reason: "libxml2 cannot open it")
        }
        defer { xmlFreeTextReader(reader) }
        var result = Result()
        while true {
            let r = xmlTextReaderRead(reader)
            if r != 1 { break }
            switch xmlTextReaderNodeType(reader) {
            case 3, 4:
                if let p = xmlTextReaderConstValue(reader) {
                    let s = String(cString: p)
                    result.textBytes += s.utf8.count
                    result.textNodes += 1
                }
            case 1:
                if let p = xmlTextReaderConstLocalName(reader) {
                    // "item" or "entry", compared as bytes.
                    if p[0] == 0x69, p[1] == 0x74, p[2] == 0x65, p[3] == 0x6D, p[4] == 0 {
                        result.items += 1
                    } else if p[0] == 0x65, p[1] == 0x6E, p[2] == 0x74, p[3] == 0x72, p[4] == 0x79, p[5] == 0 {
                        result.items += 1
                    }
                }
            default:
                break
            }
        }
        return result
    }
}
