import Foundation
import Notices

/// How every command prints its `--json` results: one document on stdout, sorted snake_case keys, ISO 8601 dates
/// (the encoder of `vigie parse --json`), so scripts read every command's output the same way.
enum JSONOutput {
    /// Prints `value` as one JSON document. The report types of the commands use camelCase properties; their
    /// keys come out in snake_case (`http_status`, `share_partners`). Not for `Notice`, which has its own keys:
    /// print notices with `NoticeJSON.encoder`.
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = NoticeJSON.encoder(pretty: true)
        encoder.keyEncodingStrategy = .convertToSnakeCase
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
