import Foundation
import Notices
import Testing
@testable import Fetcher

@Suite struct ContentCheckTests {
    struct Case: Sendable, CustomStringConvertible {
        var body: String
        var format: DocumentFormat
        var reason: String?
        var description: String { "\(format.rawValue): \(body.prefix(30))" }
    }

    static let cases: [Case] = [
        Case(body: "<?xml version=\"1.0\"?><rss/>", format: .rss, reason: nil),
        Case(body: "\u{FEFF}\n  <rss version=\"2.0\"/>", format: .rss, reason: nil),
        Case(
            body: "<!DOCTYPE html><html><body>Maintenance</body></html>", format: .rss,
            reason: "html-instead-of-data"),
        Case(body: "  <HTML><HEAD><TITLE>Erreur</TITLE>", format: .eforms, reason: "html-instead-of-data"),
        Case(
            body: "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">", format: .atom,
            reason: "html-instead-of-data"),
        Case(body: "<html><body>503</body></html>", format: .boampJSON, reason: "html-instead-of-data"),
        Case(body: "{\"results\": []}", format: .boampJSON, reason: nil),
        Case(body: "[{\"id\": 1}]", format: .decpJSON, reason: nil),
        Case(body: "Service Unavailable", format: .tedJSON, reason: "unexpected-content"),
        Case(body: "   ", format: .rss, reason: "unexpected-content"),
        Case(body: "{\"error\": 1}", format: .rss, reason: "unexpected-content"),
        Case(body: "not a tarball", format: .tedPackage, reason: "unexpected-content"),
    ]

    @Test(arguments: cases)
    func check(_ c: Case) {
        let problem = ContentCheck.problem(
            body: Array(c.body.utf8), contentType: nil, format: c.format,
            source: "s", url: "http://x/")
        #expect(problem?.reason == c.reason)
    }

    @Test func utf16FeedsAreLeftToTheParser() {
        let units: [UInt8] = "<rss/>".utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }
        let utf16: [UInt8] = [0xFF, 0xFE] + units
        #expect(ContentCheck.problem(body: utf16, contentType: nil, format: .rss, source: "s", url: "u") == nil)
    }

    @Test func gzipIsAcceptedForPackages() {
        let gz = Array(LoopbackGzipBytes.sample)
        #expect(ContentCheck.problem(body: gz, contentType: nil, format: .tedPackage, source: "s", url: "u") == nil)
    }
}
