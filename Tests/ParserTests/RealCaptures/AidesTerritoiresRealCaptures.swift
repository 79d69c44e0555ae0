import Foundation

@testable import Notices
@testable import Parser

/// Expected field values of the real AidesTerritoires captures in `../shared/samples/real/`, read from the raw files.
enum AidesTerritoiresRealCaptures {
    static func checks() throws -> [FieldCheck] { [] }
}
