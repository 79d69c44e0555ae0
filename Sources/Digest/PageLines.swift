/// A page being written as UTF-8 bytes, one line at a time, each followed by a line feed: what the HTML and
/// Markdown renderers write into, and the bytes a file or an e-mail part is made of.
///
/// A page was an array of strings, joined with line feeds at the end, a final line feed added, then copied into an
/// array of bytes for the file or the e-mail: three copies of every page and a retain and a release per line. A
/// national night renders thirty thousand member e-mails of about 100 KB in both formats (ARC, `malloc` and
/// `memmove` were a third of the night's CPU).
struct PageLines {
    /// The lines written, each followed by a line feed.
    private(set) var bytes: [UInt8] = []

    /// An empty page with room for `capacity` bytes.
    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Writes `line` and a line feed.
    mutating func append(_ line: String) {
        write(line)
        endLine()
    }

    /// Writes `text` on the current line, which `endLine()` ends: a line written in pieces, not joined first.
    mutating func write(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Ends the current line with a line feed.
    mutating func endLine() { bytes.append(0x0A) }

    /// Writes the lines of `other`, in order.
    mutating func append(contentsOf other: PageLines) { bytes.append(contentsOf: other.bytes) }

    /// The lines as text, joined by line feeds, without the last one (`[String].joined(separator: "\n")`).
    var joined: String { String(decoding: bytes.dropLast(), as: UTF8.self) }
}
