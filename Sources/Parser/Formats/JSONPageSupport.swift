import Foundation
import Notices

/// What every JSON API adapter shares: building one notice per record without letting a bad record stop
/// the page. (Where the next page is, and how many records are left, is the fetcher's `Pager` to read.)
enum JSONPageSupport {
    /// Builds notices from `records`; a record that throws becomes a `ParseIssue` naming the document, the record
    /// index and its id when known, and the rest of the page still parses.
    static func notices(
        _ records: [Any], documentName: String, idKey: (Any) -> String?,
        build: (Any) throws -> Notice
    ) -> (notices: [Notice], issues: [ParseIssue]) {
        var notices: [Notice] = []
        var issues: [ParseIssue] = []
        for (i, r) in records.enumerated() {
            do {
                notices.append(try build(r))
            } catch let ParserError.malformed(issue) {
                var issue = issue
                issue.file = issue.file ?? documentName
                issue.noticeID = issue.noticeID ?? idKey(r)
                if issue.noticeID == nil { issue.message = "record \(i): " + issue.message }
                issues.append(issue)
            } catch {
                issues.append(ParseIssue(file: documentName, noticeID: idKey(r), message: "record \(i): \(error)"))
            }
        }
        return (notices, issues)
    }

    /// A malformed-record error.
    static func malformed(_ documentName: String, _ id: String?, _ message: String) -> ParserError {
        .malformed(ParseIssue(file: documentName, noticeID: id, message: message))
    }
}
