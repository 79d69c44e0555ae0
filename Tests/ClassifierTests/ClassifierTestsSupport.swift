import Testing
@testable import Classifier
