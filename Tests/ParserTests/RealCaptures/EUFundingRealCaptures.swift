import Foundation

@testable import Notices
@testable import Parser

/// Expected field values of the real EUFunding captures in `../shared/samples/real/`, read from the raw files.
enum EUFundingRealCaptures {
    static func checks() throws -> [FieldCheck] { [] }
}
