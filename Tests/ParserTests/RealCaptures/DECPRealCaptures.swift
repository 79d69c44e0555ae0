import Foundation

@testable import Notices
@testable import Parser

/// Expected field values of the real DECP captures in `../shared/samples/real/`, read from the raw files.
enum DECPRealCaptures {
    static func checks() throws -> [FieldCheck] { [] }
}
