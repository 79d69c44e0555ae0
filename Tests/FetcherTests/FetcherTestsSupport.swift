import Testing
@testable import Fetcher
