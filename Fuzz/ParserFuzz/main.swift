// libFuzzer target for the parser stage: every input goes through `DocumentParser.parse`, i.e. format sniffing,
// encoding detection and transcoding, the entity pre-pass, libxml2's reader, the feed parser, HTML reduction,
// date parsing and URL resolution. Any crash, hang or sanitizer report is a bug.
//
// Build and run (see README); `fuzz-corpus/` is git-ignored:
//   VIGIE_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product vigie-fuzz-parser \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   mkdir -p fuzz-corpus && .build-fuzz/release/vigie-fuzz-parser fuzz-corpus Tests/ParserTests/Fixtures/Feed \
//       ../shared/conformance/feedparser/rss2 ../shared/conformance/feedparser/atom10 \
//       ../shared/conformance/feedparser/encoding ../shared/conformance/feedparser/entities \
//       -max_total_time=600 -max_len=65536 -timeout=10 -rss_limit_mb=2048
import Notices
import Parser

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// One fuzz input: parse it as a document of unknown format. Errors are expected; crashes are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let options = ParseOptions(
        sourceID: "fuzz", documentName: "fuzz.xml", baseURL: "https://example.org/feeds/a.xml",
        charsetHint: size % 7 == 0 ? "iso-8859-1" : nil)
    if let doc = try? DocumentParser.parse(bytes, options: options) {
        // Touch every string so invalid UTF-8 or dangling storage would be caught by the sanitizer.
        var total = (doc.title?.utf8.count ?? 0) + (doc.link?.utf8.count ?? 0)
        for n in doc.notices {
            total &+= n.title.utf8.count &+ (n.summary?.utf8.count ?? 0) &+ (n.content?.utf8.count ?? 0)
            total &+= (n.url?.utf8.count ?? 0) &+ n.sourceID.utf8.count &+ n.categories.count
        }
        precondition(total >= 0)
    }
    return 0
}

/// SwiftPM links an executable target `T` through the symbol `T_main`; hand control to libFuzzer's driver.
@_cdecl("vigie_fuzz_parser_main")
public func vigieFuzzParserMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
}
