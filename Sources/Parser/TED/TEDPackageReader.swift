import Compression
import Foundation
import Notices

/// Reads a TED daily package (`.tar.gz` of eForms notices, one XML file per notice) — or a BOAMP `.taz` bulk
/// archive of `ANNONCE` notices — in memory, member by member, without unpacking anything to disk.
///
/// The gzip stream is inflated in 256 KiB chunks into a tar reader that keeps only the current member, so memory
/// stays at the size of one notice even for a 200 MB daily package. A member that fails to parse becomes a
/// `ParseIssue` (member path, notice number, reason) and the next member is read.
enum TEDPackageReader {
    /// Whether `bytes` start like a gzip stream or a tar archive.
    static func isPackage(_ bytes: [UInt8]) -> Bool {
        isGzip(bytes) || isTar(bytes)
    }

    static func isGzip(_ b: [UInt8]) -> Bool { b.count >= 2 && b[0] == 0x1F && b[1] == 0x8B }

    /// A POSIX/GNU tar starts with a header block whose "ustar" magic sits at offset 257.
    static func isTar(_ b: [UInt8]) -> Bool {
        b.count >= 512 && b[257] == 0x75 && b[258] == 0x73 && b[259] == 0x74 && b[260] == 0x61 && b[261] == 0x72
    }

    static func parse(_ bytes: [UInt8], options: ParseOptions) throws -> ParsedDocument {
        var notices: [Notice] = []
        var issues: [ParseIssue] = []
        var tar = TarStream()
        let handle: (String, [UInt8]) -> Void = { name, data in
            guard name.lowercased().hasSuffix(".xml") else { return }
            do {
                let doc = try NoticeXMLDispatcher.parse(data, documentName: name, options: options)
                notices.append(contentsOf: doc.notices)
                issues.append(contentsOf: doc.issues)
            } catch let ParserError.malformed(issue), let ParserError.limitExceeded(issue) {
                var issue = issue
                issue.file = name
                issue.noticeID = issue.noticeID ?? noticeNumber(fromMember: name)
                issues.append(issue)
            } catch {
                issues.append(ParseIssue(file: name, noticeID: noticeNumber(fromMember: name), message: "\(error)"))
            }
        }
        do {
            if isGzip(bytes) {
                try inflate(bytes, documentName: options.documentName) { chunk in try tar.feed(chunk, handle) }
            } else {
                try bytes.withUnsafeBytes { try tar.feed($0, handle) }
            }
            for name in tar.oversized {
                issues.append(
                    ParseIssue(
                        file: name, noticeID: noticeNumber(fromMember: name),
                        message: "package: member larger than \(TarStream.maxMemberSize >> 20) MB skipped"))
            }
            if !tar.isAtBoundary {
                issues.append(
                    ParseIssue(
                        file: options.documentName, noticeID: tar.currentName.map(noticeNumber(fromMember:)) ?? nil,
                        message: "package: archive ends inside member \(tar.currentName ?? "?")"))
            }
        } catch let ParserError.malformed(issue) {
            // A corrupt stream ends the package, but what was read before stays.
            issues.append(issue)
            if notices.isEmpty && issues.count == 1 { throw ParserError.malformed(issue) }
        }
        return ParsedDocument(format: .tedPackage, notices: notices, issues: issues)
    }

    /// "20260817_157/00566194_2026.xml" → "566194-2026" (the publication number TED's API uses).
    static func noticeNumber(fromMember name: String) -> String? {
        let file = name.split(separator: "/").last.map(String.init) ?? name
        let stem = file.hasSuffix(".xml") ? String(file.dropLast(4)) : file
        let parts = stem.split(separator: "_")
        guard parts.count == 2, let n = Int(parts[0]), parts[1].count == 4, Int(parts[1]) != nil else { return nil }
        return "\(n)-\(parts[1])"
    }

    /// Inflates a gzip stream (possibly several concatenated members) chunk by chunk.
    static func inflate(
        _ bytes: [UInt8], documentName: String,
        _ sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        func issue(_ message: String) -> ParserError {
            ParserError.malformed(ParseIssue(file: documentName, message: "package: " + message))
        }
        do {
            try Inflater(framing: .gzip).inflate(bytes, sink)
        } catch CompressionError.cannotInitialise {
            throw issue("cannot initialise zlib")
        } catch CompressionError.truncated {
            throw issue("gzip stream is truncated")
        } catch CompressionError.corrupt(let message) {
            throw issue("corrupt gzip data (\(message))")
        }
    }
}

/// A push tar reader: bytes in, complete members out. Handles ustar prefixes, GNU long names (`L`) and pax
/// `path=` records (`x`); skips directories, links and other entry types.
struct TarStream {
    private var header: [UInt8] = []
    private var data: [UInt8] = []
    private var remaining = 0
    private var padding = 0
    private var type: UInt8 = 0
    private var name = ""
    private var longName: String?
    private(set) var finished = false
    /// Members larger than this are skipped (a notice is tens of kilobytes; a claimed size of gigabytes is a
    /// corrupt or hostile header and must not be allocated).
    static let maxMemberSize = 64 << 20
    /// Names of members skipped for their size.
    private(set) var oversized: [String] = []
    private var skipping = false

    /// True between members (not inside a header or a member's data).
    var isAtBoundary: Bool { finished || (remaining == 0 && header.isEmpty) }
    var currentName: String? { remaining > 0 ? name : nil }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ member: (String, [UInt8]) throws -> Void) throws {
        var i = 0
        let n = bytes.count
        while i < n && !finished {
            if remaining > 0 {
                let take = min(remaining, n - i)
                if !skipping { data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)])) }
                remaining -= take
                i += take
                if remaining == 0 { try finishMember(member) }
            } else if padding > 0 {
                let take = min(padding, n - i)
                padding -= take
                i += take
            } else {
                let take = min(512 - header.count, n - i)
                header.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)]))
                i += take
                if header.count == 512 { try startMember(member) }
            }
        }
    }

    private mutating func startMember(_ member: (String, [UInt8]) throws -> Void) throws {
        defer { header.removeAll(keepingCapacity: true) }
        if header.allSatisfy({ $0 == 0 }) {
            // Two zero blocks end the archive; one is enough to stop reading.
            finished = true
            return
        }
        let size = Self.octal(header[124..<136])
        type = header[156]
        var path = Self.string(header[0..<100])
        let magic = Self.string(header[257..<262])
        if magic == "ustar" {
            let prefix = Self.string(header[345..<500])
            if !prefix.isEmpty { path = prefix + "/" + path }
        }
        name = longName ?? path
        longName = nil
        remaining = size
        padding = (512 - size % 512) % 512
        data.removeAll(keepingCapacity: true)
        skipping = size > Self.maxMemberSize
        if skipping { oversized.append(name) } else { data.reserveCapacity(size) }
        if size == 0 { try finishMember(member) }
    }

    private mutating func finishMember(_ member: (String, [UInt8]) throws -> Void) throws {
        if skipping {
            skipping = false
            return
        }
        switch type {
        case UInt8(ascii: "L"):
            longName = Self.string(data[...])
        case UInt8(ascii: "x"):
            // pax extended header: "len path=value\n" records.
            for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                if let r = record.range(of: " path=") { longName = String(record[r.upperBound...]) }
            }
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            try member(name, data)
        default:
            break
        }
        data.removeAll(keepingCapacity: true)
    }

    static func octal(_ b: ArraySlice<UInt8>) -> Int {
        var v = 0
        for c in b {
            if c >= 0x30 && c <= 0x37 { v = v * 8 + Int(c - 0x30) } else if c == 0 || c == 0x20 { if v > 0 { break } }
        }
        return v
    }

    static func string(_ b: ArraySlice<UInt8>) -> String {
        let end = b.firstIndex(of: 0) ?? b.endIndex
        return String(decoding: b[b.startIndex..<end], as: UTF8.self)
    }
}

/// Routes one XML notice (a package member, a downloaded notice) by its root element: eForms or BOAMP `ANNONCE`.
///
/// The bulk path: TED package members go through here, without the feed sniffing of `DocumentParser`.
public enum NoticeXMLDispatcher {
    /// Parses one eForms or BOAMP XML notice; throws `ParserError.malformed` for anything else.
    public static func parse(_ bytes: [UInt8], documentName: String, options: ParseOptions) throws -> ParsedDocument {
        var opts = options
        opts.documentName = documentName
        let root = rootName(bytes) ?? ""
        if let doc = try FormatRegistry.parseNoticeXML(rootName: root, namespace: nil, bytes: bytes, options: opts) {
            return doc
        }
        throw ParserError.malformed(
            ParseIssue(
                file: documentName,
                message: root.isEmpty ? "not an XML notice" : "unknown notice root <\(root)>"))
    }

    /// Local name of the root element. Package members are UTF-8 eForms, so the prefix is scanned as is
    /// (`RootSniffer.scan`); anything else goes through the sniffer's decoding.
    static func rootName(_ b: [UInt8]) -> String? {
        var prefix = Array(b.prefix(16 * 1024))
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { prefix.removeFirst(3) }
        if let root = RootSniffer.scan(prefix) { return root.localName }
        return (try? RootSniffer.root(of: Array(b.prefix(16 * 1024)), charsetHint: nil))??.localName
    }
}
