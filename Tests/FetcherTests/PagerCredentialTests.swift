import Foundation
import LoopbackHTTP
import Notices
import Testing
@testable import Fetcher

/// Credentials are attached to the configured host only, whatever a `next` link says.
@Suite struct PagerCredentialTests {
    static func source() -> SourceDefinition {
        var source = PagerTests.aidesSource()
        source.auth = AuthSpec(env: "K", header: "Authorization", scheme: "Bearer")
        return source
    }

    static func page(next: String) -> [UInt8] {
        Array("{\"count\":3,\"next\":\"\(next)\",\"results\":[{\"id\":1}]}".utf8)
    }

    @Test(arguments: [
        // (next link, URL of the next request, credential sent)
        ("https://at.example/api/aids/?page=2", "https://at.example/api/aids/?page=2", true),
        // Rebuilt behind a proxy: same host, http:// — the token must not travel in clear.
        ("http://at.example/api/aids/?page=2", "https://at.example/api/aids/?page=2", true),
        ("https://elsewhere.example/api/aids/?page=2", "https://elsewhere.example/api/aids/?page=2", false),
    ])
    func nextLinks(_ link: String, _ url: String, _ withCredential: Bool) throws {
        var pager = Pager(source: Self.source(), storedCursor: nil, now: PagerTests.night)
        var credentials = Credentials(auth: Self.source().auth, sourceURL: Self.source().url)
        credentials.secret = "jwt"
        let first = pager.firstRequest()
        #expect(credentials.attach(to: first).headers.contains(QueryParameter("Authorization", "Bearer jwt")))
        let next = try #require(try pager.next(after: first, page: Self.page(next: link)))
        #expect(next.url == url)
        #expect(
            credentials.attach(to: next).headers.contains(QueryParameter("Authorization", "Bearer jwt"))
                == withCredential)
    }
}
