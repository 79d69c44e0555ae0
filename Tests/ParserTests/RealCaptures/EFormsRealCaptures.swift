import Foundation

@testable import Notices
@testable import Parser

/// Expected field values of the real EForms captures in `../shared/samples/real/`, read from the raw files.
enum EFormsRealCaptures {
    static func checks() throws -> [FieldCheck] { [] }
}
