import Foundation

/// One slot of a ``FlatTable``: key, value and a second value (16 bytes, one cache line fetch per probe).
struct FlatSlot {
    var key: UInt64
    var value: Int32
    /// For token and prefix tables: the trie node reached from the root by this symbol (0 = none).
    var extra: Int32
}

/// Open-addressing hash table from non-zero `UInt64` keys to `Int32` values, in flat memory.
///
/// Keys are token fingerprints or packed `(node, symbol)` transitions; slots come from Fibonacci hashing
/// (multiply, keep the high bits), linear probing, load ≤ 0.7. Key and values share a 16-byte slot so a lookup
/// touches one cache line.
final class FlatTable: @unchecked Sendable {
    private(set) var slots: UnsafeMutablePointer<FlatSlot>
    private(set) var capacity: Int
    private(set) var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var cap = 16
        while cap * 7 < minimumCapacity * 10 { cap <<= 1 }
        capacity = cap
        shift = UInt64(64 - cap.trailingZeroBitCount)
        slots = .allocate(capacity: cap)
        slots.initialize(repeating: FlatSlot(key: 0, value: -1, extra: 0), count: cap)
    }

    deinit { slots.deallocate() }

    var memoryBytes: Int { capacity * MemoryLayout<FlatSlot>.stride }

    @inline(__always)
    private func index(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The slot holding `key`, or nil.
    @inline(__always)
    func slot(_ key: UInt64) -> UnsafeMutablePointer<FlatSlot>? {
        let mask = capacity - 1
        var i = index(key)
        while true {
            let k = slots[i].key
            if k == key { return slots + i }
            if k == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// The key stored in `key`'s home slot: a load that brings the slot's cache line in early.
    @inline(__always)
    func homeKey(_ key: UInt64) -> UInt64 { slots[index(key)].key }

    /// The value for `key`, or -1.
    @inline(__always)
    func find(_ key: UInt64) -> Int32 {
        let mask = capacity - 1
        var i = index(key)
        while true {
            let k = slots[i].key
            if k == key { return slots[i].value }
            if k == 0 { return -1 }
            i = (i + 1) & mask
        }
    }

    /// Inserts or replaces. The table grows past 70 % load: linear probes stay within one or two cache lines
    /// (four slots per line) while the table stays small enough for the cache at 300,000 keywords.
    func insert(_ key: UInt64, _ value: Int32) {
        precondition(key != 0)
        if (count + 1) * 10 > capacity * 7 { grow() }
        let mask = capacity - 1
        var i = index(key)
        while true {
            let k = slots[i].key
            if k == key { slots[i].value = value; return }
            if k == 0 {
                slots[i] = FlatSlot(key: key, value: value, extra: 0)
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Calls `body` on every occupied slot.
    func forEachSlot(_ body: (inout FlatSlot) -> Void) {
        for i in 0..<capacity where slots[i].key != 0 { body(&slots[i]) }
    }

    private func grow() {
        let old = slots, oldCap = capacity
        capacity = oldCap * 2
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: FlatSlot(key: 0, value: -1, extra: 0), count: capacity)
        count = 0
        for j in 0..<oldCap where old[j].key != 0 { insert(old[j].key, old[j].value) }
        old.deallocate()
    }
}
