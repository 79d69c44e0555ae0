import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// What the walk says when a night cannot get past one day.
@Suite struct PagerProgressTests {
    @Test func aDayLargerThanANightsPagesIsReported() throws {
        var pager = Pager(
            source: PagerTests.boampSource(pageSize: 2, maxPages: 1), storedCursor: "2026-11-20",
            now: PagerTests.night)
        let page = PagerTests.page(["2026-11-20", "2026-11-20"], total: 40)
        #expect(try pager.next(after: pager.firstRequest(), page: page) == nil)
        #expect(pager.cursorToSave == "2026-11-20")
        #expect(
            pager.warnings.last == "the whole walk stayed within 2026-11-20: raise max_pages, or this source "
                + "never gets past that day")
    }
}
