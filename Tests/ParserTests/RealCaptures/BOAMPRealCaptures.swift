import Foundation

@testable import Notices
@testable import Parser

/// Expected field values of the real BOAMP captures in `../shared/samples/real/`, read from the raw files.
enum BOAMPRealCaptures {
    static func checks() throws -> [FieldCheck] { [] }
}
