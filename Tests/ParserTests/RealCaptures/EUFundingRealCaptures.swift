import Foundation

@testable import Notices
@testable import Parser

/// Expected field values of the real EU Funding & Tenders captures in `../shared/samples/real/`.
///
/// There is none: `samples/real/` holds no response of the SEDIA search API, so this table is empty and the
/// adapter is tested on its fixture and on the shapes `design/SOURCES.md` §1.7 records (`EUFundingTests`).
enum EUFundingRealCaptures {
    static func checks() throws -> [FieldCheck] { [] }
}
