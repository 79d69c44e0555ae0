import ArgumentParser
import Foundation
import Notices
import Parser

extension Vigie {
    /// `vigie parse`: what Vigie understands of one file, for checking a new source or a parser bug.
    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "parse",
            abstract: "Parse a feed, notice or API response file and print what Vigie understands of it.",
            discussion: """
                The format is detected from the content, never the file name: RSS 0.9x/2.0, RSS 1.0 (RDF) and \
                Atom 0.3/1.0 feeds; eForms and BOAMP XML notices; BOAMP (Opendatasoft records and the former \
                DILA API), TED search API, aides-territoires, EU Funding & Tenders and DECP JSON (2019 and 2022 \
                formats, flat decp-2022-marches-valides records); decp.info DECP CSV (`;`-separated, found by its \
                header); TED daily packages (.tar.gz of eForms notices). Encodings are detected from the \
                byte-order mark, the XML declaration or --charset; undeclared 8-bit text is read as windows-1252.

                Examples:
                  vigie parse feed.xml
                      a readable listing of the entries
                  vigie parse --json feed.xml
                      feeds: {"feed": {...}, "entries": [...]}
                      other formats: {"notices": [...]}, with "issues" if any
                  vigie parse --json --base-url https://example.org/rss/ feed.xml
                      relative links resolved as if fetched from that URL
                  vigie parse --stats corpus/*.xml
                      only files, entries, bytes, seconds and MB/s

                With the demo's samples:
                  vigie parse Feeds/samples/acheteurs-rhone-loire.rss.xml
                  vigie parse --json Feeds/samples/boamp-api-page.json

                A malformed document is recovered as far as possible and what was read is printed; the first \
                problem goes to stderr on one line as vigie parse: warning|error: FILE:LINE:COLUMN: message.

                Exit codes: 0 parsed, also when \
                the XML error was recovered with nothing lost (a second <?xml ?> declaration, a misspelt end tag, \
                the last end tag cut short: printed as a warning); 1 a file could not be parsed, or was damaged \
                so that content may be missing (a truncated or unbalanced feed, an entity loop, a broken notice \
                in a package); 2 bad arguments.
                """
        )

        @OptionGroup var output: OutputOptions

        @Flag(help: "Parse every FILE and print only totals: files, entries, bytes, seconds, MB/s.")
        var stats = false

        @Option(
            name: .customLong("base-url"),
            help: ArgumentHelp(
                "URL the document was fetched from; relative links resolve against it.", valueName: "URL"))
        var baseURL: String?

        @Option(
            help: ArgumentHelp(
                "Charset announced by the server (HTTP Content-Type), e.g. iso-8859-1; overrides the XML declaration.",
                valueName: "NAME"))
        var charset: String?

        @Option(
            help: ArgumentHelp(
                "Skip detection and parse as this format: \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", ")).",
                valueName: "FORMAT"))
        var format: DocumentFormat?

        @Option(name: .customLong("source-id"), help: "Source id given to the notices.")
        var sourceID = "file"

        @Argument(help: ArgumentHelp("Files to parse.", valueName: "FILE"))
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one FILE") }
            if files.count > 1 && !stats && output.json {
                throw ValidationError("--json prints one document: give one FILE, or use --stats")
            }
        }

        func options(for path: String) -> ParseOptions {
            ParseOptions(
                sourceID: sourceID, documentName: path, baseURL: baseURL, charsetHint: charset,
                format: format)
        }

        func run() throws {
            if stats { return try runStats() }
            var failed = false
            for path in files {
                do {
                    let result = try DocumentParser.parseFileWithIntegrity(atPath: path, options: options(for: path))
                    let doc = result.document
                    if output.json {
                        try printJSON(doc)
                    } else {
                        printListing(doc, path: path)
                    }
                    if let first = doc.issues.first {
                        let more = doc.issues.count > 1 ? " (and \(doc.issues.count - 1) more)" : ""
                        if result.integrity != .damaged {
                            // Nothing was lost: what was printed is the whole document.
                            printError(Diagnostics.line(command: "parse", level: .warning, "\(first)\(more)"))
                        } else {
                            // What was recovered is printed, but content may be missing: say so in one line
                            // and exit non-zero, so a script never takes a damaged document for a whole one.
                            printError(Diagnostics.line(command: "parse", level: .error, "parser: \(first)\(more)"))
                            failed = true
                        }
                    }
                } catch {
                    printError(Diagnostics.line(command: "parse", level: .error, "\(error)"))
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }

        private func runStats() throws {
            var entries = 0
            var bytes = 0
            var failures = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for path in files {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                do {
                    // Streamed: --stats on a 500 MB feed holds one entry at a time.
                    _ = try DocumentParser.parseFile(atPath: path, options: options(for: path)) { _ in entries += 1 }
                    bytes += size
                } catch {
                    printError(Diagnostics.line(command: "parse", level: .error, "\(error)"))
                    failures += 1
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let mbs = seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0
            print("files: \(files.count - failures)")
            print("entries: \(entries)")
            print("bytes: \(bytes)")
            print(String(format: "seconds: %.3f", seconds))
            print(String(format: "MB/s: %.1f", mbs))
            if failures > 0 { throw ExitCode(1) }
        }

        private func printJSON(_ doc: ParsedDocument) throws {
            guard doc.format.isFeed else {
                struct Output: Encodable {
                    var notices: [Notice]
                    var issues: [ParseIssue]?
                }
                let data = try NoticeJSON.encoder().encode(
                    Output(notices: doc.notices, issues: doc.issues.isEmpty ? nil : doc.issues))
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let data = try NoticeJSON.encoder().encode(FeedJSON(doc))
            print(String(decoding: data, as: UTF8.self))
        }

        private func printListing(_ doc: ParsedDocument, path: String) {
            var header = "\(path): \(doc.format.rawValue)"
            if let title = doc.title { header += " \"\(title)\"" }
            if let link = doc.link { header += " <\(link)>" }
            print(header + ", \(doc.notices.count) \(doc.format.isFeed ? "entries" : "notices")")
            for (i, n) in doc.notices.enumerated() {
                print("\(i + 1). \(n.title.isEmpty ? "(untitled)" : n.title)")
                if let url = n.url { print("   \(url)") }
                var meta: [String] = ["id \(n.sourceID)"]
                if let p = n.published { meta.append("published \(ISO8601.format(p))") }
                if let u = n.updated { meta.append("updated \(ISO8601.format(u))") }
                if let a = n.author { meta.append("by \(a)") }
                print("   " + meta.joined(separator: " · "))
                if !n.categories.isEmpty { print("   categories: " + n.categories.joined(separator: ", ")) }
                if !n.enclosures.isEmpty { print("   enclosures: " + n.enclosures.joined(separator: " ")) }
                if let s = n.summary {
                    print("   " + (s.count > 240 ? String(s.prefix(239)) + "…" : s))
                }
            }
        }
    }
}

extension DocumentFormat: ExpressibleByArgument {}

/// `vigie parse --json` for a feed: the schema of the feed-parser conformance corpus (../shared/conformance), with
/// every key present and `null` for what the feed does not give, as its scorer expects.
struct FeedJSON: Encodable {
    struct Feed: Encodable {
        var title: String?
        var link: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(title, forKey: .title)
            try c.encode(link, forKey: .link)
        }

        enum CodingKeys: String, CodingKey { case title, link }
    }

    struct Entry: Encodable {
        var title: String?
        var link: String?
        var id: String?
        var published: String?
        var updated: String?
        var summaryText: String?
        var contentText: String?
        var categories: [String]
        var enclosures: [String]
        var authorName: String?

        enum CodingKeys: String, CodingKey {
            case title, link, id, published, updated, categories, enclosures
            case summaryText = "summary_text"
            case contentText = "content_text"
            case authorName = "author_name"
        }

        init(_ n: Notice) {
            title = Self.nonEmpty(n.title)
            link = Self.nonEmpty(n.url)
            // An id made up from title and date is Vigie's, not the feed's.
            id = n.sourceID.hasPrefix("hash:") ? nil : Self.nonEmpty(n.sourceID)
            published = n.published.map { ISO8601.format($0) }
            updated = n.updated.map { ISO8601.format($0) }
            summaryText = Self.nonEmpty(n.summary)
            contentText = Self.nonEmpty(n.content)
            categories = n.categories
            enclosures = n.enclosures
            authorName = Self.nonEmpty(n.author)
        }

        /// The conformance schema has no empty strings: what is empty is absent (`null`).
        static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(title, forKey: .title)
            try c.encode(link, forKey: .link)
            try c.encode(id, forKey: .id)
            try c.encode(published, forKey: .published)
            try c.encode(updated, forKey: .updated)
            try c.encode(summaryText, forKey: .summaryText)
            try c.encode(contentText, forKey: .contentText)
            try c.encode(categories, forKey: .categories)
            try c.encode(enclosures, forKey: .enclosures)
            try c.encode(authorName, forKey: .authorName)
        }
    }

    var format: String
    var feed: Feed
    var entries: [Entry]

    init(_ doc: ParsedDocument) {
        format = doc.format.rawValue
        feed = Feed(title: Entry.nonEmpty(doc.title), link: Entry.nonEmpty(doc.link))
        entries = doc.notices.map(Entry.init)
    }
}
