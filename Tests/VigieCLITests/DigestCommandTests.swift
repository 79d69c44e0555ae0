import ArgumentParser
import Foundation
import Testing

@testable import VigieCLI

/// `vigie digest`'s command line, read without running it: the shared option groups and their defaults.
@Suite struct DigestCommandTests {
    func parse(_ args: [String]) throws -> Vigie.DigestCommand {
        try #require(try Vigie.parseAsRoot(["digest"] + args) as? Vigie.DigestCommand)
    }

    @Test func everyClusterByDefaultAndSeveralWhenGiven() throws {
        let plain = try parse([])
        #expect(plain.cluster.isEmpty)
        #expect(plain.rulesOptions.rules == "Rules")
        #expect(plain.feedsOptions.feeds == "Feeds")
        #expect(plain.storeOptions.store == "vigie.sqlite")
        #expect(plain.formatOptions.format.formats.count == 6)
        #expect(!plain.markDelivered && !plain.output.json)
        let some = try parse([
            "--cluster", "mecaloire", "nucleaire", "--format", "md,json", "--now", "2026-11-24T02:00:00Z", "--json",
            "--mark-delivered",
        ])
        #expect(some.cluster == ["mecaloire", "nucleaire"])
        #expect(some.formatOptions.format.formats.map(\.rawValue) == ["md", "json"])
        #expect(some.clock.now?.instant == Date(timeIntervalSince1970: 1_795_485_600))
        #expect(some.output.json && some.markDelivered)
    }

    @Test func aBadDateOrFormatIsRefusedWhenTheLineIsRead() {
        #expect(throws: (any Error).self) { try Vigie.parseAsRoot(["digest", "--now", "yesterday"]) }
        #expect(throws: (any Error).self) { try Vigie.parseAsRoot(["digest", "--format", "pdf"]) }
    }

    @Test func helpSaysWhatAPreviewRecords() {
        // The help is wrapped to the terminal's width: compare with single spaces.
        let help = Vigie.helpMessage(for: Vigie.DigestCommand.self).split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
        #expect(help.contains("--mark-delivered"))
        #expect(help.contains("--json"))
        #expect(help.contains("vigie fetch then vigie digest --mark-delivered gives the digest vigie run gives"))
        #expect(help.contains("nothing is marked as sent, so the next vigie run still writes and sends these items"))
    }
}
