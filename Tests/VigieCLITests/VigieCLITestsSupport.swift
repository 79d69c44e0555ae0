import Testing
@testable import Notices
