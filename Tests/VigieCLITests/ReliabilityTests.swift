import Testing

/// The end-to-end reliability and security tests of the nightly run (crash, signals, full disk, store lock,
/// planted key, fault server), one after the other: they time kills against a clean run's duration, so they
/// must not compete with each other for the CPU. `swift test --skip-build --filter ReliabilityTests`.
@Suite(.serialized) struct ReliabilityTests {}
