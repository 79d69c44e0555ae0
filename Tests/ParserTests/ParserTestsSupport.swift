import Testing
@testable import Parser
