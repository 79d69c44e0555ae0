import Foundation
import Notices
import TestSupport
import Testing

@testable import Digest

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct RendererTests {
    @Test func icalendarFollowsRFC5545() throws {
        let text = ICalendarRenderer().text(SampleDigest.input)
        #expect(text.hasSuffix("\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "bare LF")
        let physical = text.components(separatedBy: "\r\n").dropLast()
        for line in physical { #expect(line.utf8.count <= 75, "too long: \(line)") }
        // Unfold and check content.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        let lines = unfolded.components(separatedBy: "\r\n")
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 4)  // tonight's four notices with a deadline
        #expect(lines.contains("UID:deadline-boamp_26-41234@vigie"))
        #expect(lines.contains("DTSTART:20260608T100000Z"))
        #expect(lines.contains("DTSTART:20260511T100000Z"))
        #expect(lines.contains("DTSTART:20260930T215900Z"))  // the call's closing date
        #expect(
            lines.contains(
                "SUMMARY:Date limite : Conception et réalisation d'une ligne de traitement de "
                    + "surface \"clé en main\""))
        #expect(
            lines.contains {
                $0.hasPrefix("DESCRIPTION:") && $0.contains("Acheteur : Safran Landing Systems\\; site de Molsheim\\n")
            })
        #expect(lines.contains { $0.contains("Montant estimé : entre 1\u{A0}200\u{A0}000\u{A0}€ et") })
    }

    @Test func foldingNeverSplitsACharacter() {
        let line = "SUMMARY:" + String(repeating: "é", count: 100)
        let folded = ICalendarRenderer.fold(line)
        for part in folded.components(separatedBy: "\r\n") {
            #expect(part.utf8.count <= 75)
            #expect(!part.contains("\u{FFFD}"))
        }
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line)
    }

    @Test func uidIsStableAcrossRuns() {
        var later = SampleDigest.input
        later.runDate = later.runDate.addingTimeInterval(86_400)
        let uids = { (t: String) in t.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") } }
        #expect(uids(ICalendarRenderer().text(SampleDigest.input)) == uids(ICalendarRenderer().text(later)))
    }

    @Test func atomIsWellFormedWithRequiredElements() throws {
        var input = SampleDigest.input
        input.members[0].items[0].notice.title += " \u{0001}control & <tags>"
        let bytes = try AtomRenderer().render(input)
        let parser = XMLParser(data: Data(bytes))
        let c = AtomCollector()
        parser.delegate = c
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        for required in ["feed", "id", "title", "updated", "author", "entry", "content", "link"] {
            #expect(c.elements.contains(required), "\(required)")
        }
        #expect(c.entryIDs.count == 5)
        #expect(Set(c.entryIDs).count == 5, "entry ids are unique")
        #expect(c.entryIDs.contains("urn:vigie:mecaloire:boamp:26-41234"))
    }

    /// A notice shown only as « Échéances proches » (told on an earlier night) is not announced again in the feeds —
    /// tonight's or the subscription's — but keeps its calendar event.
    @Test func aDeadlineReminderIsNotFeedNewsButStaysInTheCalendar() throws {
        var input = SampleDigest.input
        var reminder = input.deadlinesSoon[0].notice
        reminder.sourceID = "26-99999"
        input.deadlinesSoon.append(DigestItem(notice: reminder, score: 1, members: ["Forges du Gier"]))
        #expect(input.allNotices.map(\.id).contains(reminder.id))
        #expect(!input.newsNotices.map(\.id).contains(reminder.id))
        #expect(input.newsNotices.count == input.allNotices.count - 1)
        for (feed, entries) in [
            (try AtomRenderer().render(input), 5), (try AtomRenderer().renderSubscription(input), 7),
        ] {
            let c = AtomCollector()
            let parser = XMLParser(data: Data(feed))
            parser.delegate = c
            #expect(parser.parse())
            #expect(c.entryIDs.count == entries)
            #expect(!c.entryIDs.contains("urn:vigie:mecaloire:\(reminder.source):26-99999"))
        }
        let uid = "UID:deadline-\(reminder.source)_26-99999@vigie"
        #expect(ICalendarRenderer().text(input).contains(uid))
        #expect(ICalendarRenderer().subscriptionText(input).contains(uid))
    }

    @Test func htmlEscapesEverythingFromNotices() throws {
        var input = SampleDigest.input
        input.members[0].items[0].notice.title = "<script>alert('x')</script> & co"
        input.members[0].items[0].notice.url = "javascript:alert(1)"
        let html = HTMLRenderer().text(input)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
        #expect(!html.contains("javascript:"))
        #expect(html.contains("Tôlerie de l&#39;Ondaine &lt;TO&gt;"))
        #expect(!html.contains("<link") && !html.contains("<script src"), "self-contained")
    }

    @Test func sourcesAreShownByName() {
        let md = MarkdownRenderer().text(SampleDigest.input)
        #expect(md.contains("- Source : BOAMP (26-41234), aussi publié sur TED"))
        #expect(md.contains("- Source : aides-territoires (at-9876)"), "an unnamed source keeps its id")
    }

    @Test func anIncompleteSourceIsNotShownAsOk() throws {
        let md = MarkdownRenderer().text(SampleDigest.input)
        #expect(md.contains("sources : 1/4 en bon état, 1 incomplète"))
        #expect(
            md.contains(
                "| TED | incomplète | 250 | 2\u{00A0}000 avis restent à récupérer, la suite la nuit prochaine |"))
        let html = htmlText(HTMLRenderer().text(SampleDigest.input))
        #expect(
            html.contains(
                "TED — incomplète · 250 nouveaux avis 2\u{00A0}000 avis restent à récupérer, la suite la nuit prochaine"
            ))
        let back = try JSONDigestRenderer.decode(try JSONDigestRenderer().render(SampleDigest.input))
        #expect(back.sources.first { $0.sourceID == "ted" }?.left == 2_000)
    }

    @Test func markdownEscapesMarkup() {
        var input = SampleDigest.input
        input.members[0].items[0].notice.title = "Lot *1* [urgent](http://evil)"
        let md = MarkdownRenderer().text(input)
        #expect(md.contains("Lot \\*1\\* \\[urgent\\](http://evil)"))
    }

    /// The CSV read back independently (`;` separated).
    func parseCSV(_ s: String) -> [[String]] { CSVReader.rows(s, separator: ";") }

    @Test func csvReadsBackWithQuotesAndSeparators() throws {
        let bytes = try CSVRenderer().render(SampleDigest.input)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let rows = parseCSV(String(decoding: bytes, as: UTF8.self))
        #expect(rows.first == CSVRenderer.header)
        #expect(rows.allSatisfy { $0.count == CSVRenderer.header.count })
        let ligne = try #require(rows.first { $0[0] == "adherent" && $0[2] == "ted:312345-2026" })
        #expect(ligne[4] == "Conception et réalisation d'une ligne de traitement de surface \"clé en main\"")
        #expect(ligne[5] == "Safran Landing Systems; site de Molsheim")
        #expect(ligne[8] == "1800000")
        let corrige = try #require(rows.first { $0[0] == "modifie" })
        #expect(corrige[8] == "80000,5")
        #expect(
            rows.map { $0[0] } == [
                "rubrique", "adherent", "adherent", "consortium", "appel_a_projets", "veille", "veille",
                "date_limite_proche", "modifie",
            ])
        // Winners come last, each with its registration number when the source gives one.
        #expect(CSVRenderer.header.last == "attributaires")
        let award = try #require(rows.first { $0[2] == "decp:24420069800019-2026-0042" })
        #expect(
            award.last
                == "Hydraulique & Maintenance <HM> (41234567800021) | Forez Méca; ateliers \"Sud\" | "
                + "identifiant FR99999999999")
        #expect(ligne.last == "")
    }

    @Test func awardeesAreShownInEveryReadableFormat() throws {
        let input = SampleDigest.input
        let md = MarkdownRenderer().text(input)
        #expect(
            md.contains(
                "- **Attributaire(s) :** Hydraulique & Maintenance \\<HM\\> (41234567800021), "
                    + "Forez Méca; ateliers \"Sud\", identifiant FR99999999999"))
        let html = HTMLRenderer().text(input)
        #expect(html.contains("Hydraulique &amp; Maintenance &lt;HM&gt; (41234567800021), "))
        #expect(
            htmlText(html).contains(
                "Attributaire(s) Hydraulique & Maintenance <HM> (41234567800021), "
                    + "Forez Méca; ateliers \"Sud\", identifiant FR99999999999"))
        // Notices without winners get no line.
        #expect(md.components(separatedBy: "Attributaire(s)").count == 2)
        let json = try JSONDigestRenderer.decode(try JSONDigestRenderer().render(input))
        let award = try #require(json.watches[0].items.last?.notice)
        #expect(award.awardees.map(\.name) == ["Hydraulique & Maintenance <HM>", "Forez Méca; ateliers \"Sud\"", nil])
        #expect(award.awardees.map(\.id) == ["41234567800021", nil, "FR99999999999"])
    }

    @Test func csvDefusesFormulas() {
        #expect(CSVRenderer.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVRenderer.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVRenderer.field("-12") == "-12")
    }

    @Test func jsonRoundTrips() throws {
        let bytes = try JSONDigestRenderer().render(SampleDigest.input)
        #expect(try JSONDigestRenderer.decode(bytes) == SampleDigest.input)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"cluster_id\" : \"mecaloire\""))
        #expect(text.contains("\"deadlines_soon\""))
        #expect(text.contains("\"source_id\" : \"26-41234\""))
    }

    @Test func writerWritesEveryFormatAtomically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = try DigestWriter(outputDirectory: dir.path).write(SampleDigest.input)
        #expect(paths.count == DigestFormat.allCases.count * 2)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("mecaloire").path)
        #expect(
            Set(files) == Set(DigestFormat.allCases.flatMap { ["2026-05-05.\($0.rawValue)", "latest.\($0.rawValue)"] }))
        let md = try String(contentsOf: dir.appendingPathComponent("mecaloire/latest.md"), encoding: .utf8)
        #expect(md == MarkdownRenderer().text(SampleDigest.input))
    }

    @Test func unknownFormatIsNamed() throws {
        #expect(throws: DigestError.unknownFormat("pdf")) { try DigestFormat.parseList("md,pdf") }
        #expect(try DigestFormat.parseList("markdown, ical,csv") == [.markdown, .icalendar, .csv])
    }

    @Test func aMembersOwnDigestKeepsOnlyWhatConcernsIt() throws {
        let input = SampleDigest.input
        let own = input.forMember(id: "usinage-forez", name: "Usinage du Forez")
        #expect(own.members.map(\.memberID) == ["usinage-forez"])
        #expect(own.consortia.count == 1 && own.consortia[0].hiddenPartners == 2)
        #expect(own.calls.map(\.notice.id) == input.calls.map(\.notice.id))
        #expect(own.changed.count == 1)
        #expect(own.watches.isEmpty && own.nearMisses.isEmpty)
        // The near deadline of its consortium idea, with no other member named.
        #expect(own.deadlinesSoon.map(\.notice.id) == [SampleDigest.ligne.id])
        #expect(own.deadlinesSoon.allSatisfy { $0.members.isEmpty })
        let md = String(decoding: try DigestFormat.markdown.renderer.render(own), as: UTF8.self)
        #expect(md.hasPrefix("# Veille Pôle Méca Loire pour Usinage du Forez — "))
        #expect(md.contains("avis pour vous"))
        #expect(md.contains("## Pour vous"))
        let nothing = input.forMember(id: "vide", name: "Sans avis")
        #expect(!nothing.hasNews)
        let writer = DigestWriter(outputDirectory: "/out")
        #expect(writer.directory(for: own) == "/out/mecaloire/adherents/usinage-forez")
        #expect(writer.directory(for: input) == "/out/mecaloire")
    }
}
