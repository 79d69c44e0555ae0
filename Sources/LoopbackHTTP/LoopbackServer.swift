/// Placeholder: the loopback HTTP server used by the fetcher's tests and benchmark.
public enum LoopbackHTTP {}
