import Foundation
import Notices

/// The digest as JSON, for other tools (a mailer, a CRM import): the `DigestInput` with snake_case keys,
/// ISO 8601 dates, notices in the same schema as `vigie parse --json`, sorted keys for stable output.
public struct JSONDigestRenderer: DigestRenderer {
    public init() {}
    public var format: DigestFormat { .json }

    /// Version of the JSON layout, written as `schema_version`: 2 since the staff's digest lists each notice once
    /// with the members it went to (`notices`, and each member's section as `notice_ids`). `decode` reads both.
    public static let schemaVersion = 2

    /// The layout a digest is written in: 2 for the staff's; a member's own digest and a saved watch's keep the
    /// layout of schema 1 (sections with their items), unchanged, and say so.
    public static func schemaVersion(of input: DigestInput) -> Int { Wording.isStaff(input) ? schemaVersion : 1 }

    struct Envelope: Encodable {
        var schemaVersion: Int
        var generator: String
        var digest: DigestInput
        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version"
            case generator, digest
        }
    }

    /// The same bytes as `NoticeJSON.encoder(pretty: true)` would write (`JSONByteWriter`, compared with it in
    /// the tests), without the encoder's boxed tree of values.
    public func render(_ input: DigestInput) throws -> [UInt8] {
        do {
            var bytes = try JSONByteWriter.encode(
                Envelope(schemaVersion: Self.schemaVersion(of: input), generator: "vigie", digest: input),
                sharingNoticesOf: input)
            bytes.append(0x0A)
            return bytes
        } catch {
            throw DigestError.render(format: "json", reason: "\(error)")
        }
    }

    /// Reads back a digest written by `render` (for tools and tests).
    public static func decode(_ bytes: [UInt8]) throws -> DigestInput {
        struct Back: Decodable { var digest: DigestInput }
        let decoder = NoticeJSON.decoder()
        return try decoder.decode(Back.self, from: Data(bytes)).digest
    }
}
