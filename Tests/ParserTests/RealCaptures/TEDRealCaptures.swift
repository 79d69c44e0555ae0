import Foundation

@testable import Notices
@testable import Parser

/// Expected field values of the real TED captures in `../shared/samples/real/`, read from the raw files.
enum TEDRealCaptures {
    static func checks() throws -> [FieldCheck] { [] }
}
