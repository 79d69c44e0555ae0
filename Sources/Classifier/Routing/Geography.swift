import Foundation
import Notices

extension Geography {
    private static let byCode: [String: Int] = {
        var m: [String: Int] = [:]
        for (i, d) in departements.enumerated() { m[d.code] = i }
        return m
    }()

    private static let byNUTS3: [String: String] = {
        var m: [String: String] = [:]
        for d in departements { m[d.nuts3] = d.code }
        return m
    }()

    /// The position of a canonical département code in ``departements`` (`42` → its index), nil for any other
    /// string: the router resolves every site and place once to this small integer and compares integers.
    static func index(ofCanonical code: String) -> Int? { byCode[code] }

    /// ``distances`` as one flat row-major table (`i * departements.count + j`), -1 when unreachable: the router
    /// reads it per (site, place) pair, where a nested array would cost two bounds checks and a retain.
    static let flatDistances: [Int8] = distances.flatMap { $0 }

    /// Region (NUTS-1) code → bit of a region mask: every region of ``regionNames`` and of the départements, in
    /// sorted order. France has 18; a mask of 64 bits holds them all (checked when the table is built).
    static let regionBits: [String: UInt64] = {
        let codes = Set(regionNames.keys).union(departements.map(\.region)).sorted()
        precondition(codes.count <= 64, "geography: more regions than a 64-bit mask holds")
        var m: [String: UInt64] = [:]
        for (i, c) in codes.enumerated() { m[c] = 1 << UInt64(i) }
        return m
    }()

    /// Département index → the bit of its region (see ``regionBits``).
    static let departementRegionBit: [UInt64] = departements.map { regionBits[$0.region] ?? 0 }

    /// All-pairs distances in adjacency steps (BFS), -1 when unreachable (overseas).
    private static let distances: [[Int8]] = {
        let n = departements.count
        var adj = [[Int]](repeating: [], count: n)
        for (code, ns) in neighbours {
            guard let i = byCode[code] else { continue }
            adj[i] = ns.compactMap { byCode[$0] }
        }
        var dist = [[Int8]](repeating: [Int8](repeating: -1, count: n), count: n)
        for s in 0..<n {
            dist[s][s] = 0
            var queue = [s]
            var head = 0
            while head < queue.count {
                let u = queue[head]
                head += 1
                for v in adj[u] where dist[s][v] < 0 {
                    dist[s][v] = dist[s][u] + 1
                    queue.append(v)
                }
            }
        }
        return dist
    }()

    /// The département with this code (`42`, `2A`, `971`; `1` and `2a` are accepted).
    public static func departement(_ code: String) -> Departement? {
        guard let c = canonicalDepartement(code), let i = byCode[c] else { return nil }
        return departements[i]
    }

    /// `1` → `01`, `2a` → `2A`; nil when not a département code.
    public static func canonicalDepartement(_ code: String) -> String? {
        // Most codes arrive canonical already (the parsers write them so): no trimming nor case mapping then.
        if byCode[code] != nil { return code }
        var c = code.trimmingCharacters(in: .whitespaces).uppercased()
        if c.count == 1, c.allSatisfy(\.isNumber) { c = "0" + c }
        return byCode[c] != nil ? c : nil
    }

    /// Département of a French postcode (`42100` → `42`, `20090` → `2A`, `97400` → `974`).
    public static func departement(forPostcode postcode: String) -> String? {
        let p = postcode.filter { !$0.isWhitespace }
        guard p.count == 5, p.allSatisfy(\.isNumber) else { return nil }
        if p.hasPrefix("97") || p.hasPrefix("98") { return canonicalDepartement(String(p.prefix(3))) }
        if p.hasPrefix("20") {
            // Corsica: 200xx–201xx Corse-du-Sud, 202xx–206xx Haute-Corse.
            let third = p[p.index(p.startIndex, offsetBy: 2)]
            return third == "0" || third == "1" ? "2A" : "2B"
        }
        return canonicalDepartement(String(p.prefix(2)))
    }

    /// Département of a NUTS-3 code (`FRK24` → `42`).
    public static func departement(forNUTS3 nuts: String) -> String? { byNUTS3[nuts.uppercased()] }

    /// Region (NUTS-1) of a département.
    public static func region(of departement: String) -> String? { self.departement(departement)?.region }

    /// Adjacency steps between two départements (0 = same), nil when not connected by land.
    public static func distance(_ a: String, _ b: String) -> Int? {
        guard let ca = canonicalDepartement(a), let cb = canonicalDepartement(b),
            let i = byCode[ca], let j = byCode[cb]
        else { return nil }
        let d = distances[i][j]
        return d < 0 ? nil : Int(d)
    }

    /// A site as written in rules: a département code or a postcode.
    public static func departement(forSite site: String) -> String? {
        canonicalDepartement(site) ?? departement(forPostcode: site)
    }

    /// Whether `code` is a NUTS code Vigie understands for France (`FR`, `FRK`, `FRK2`, `FRK24`, `FR1`, `FR10`…).
    public static func isFrenchNUTS(_ code: String) -> Bool {
        let c = code.uppercased()
        if c == "FR" { return true }
        if regionNames[c] != nil { return true }
        if c.count == 4, regionNames[String(c.prefix(3))] != nil { return true }
        return byNUTS3[c] != nil
    }
}

/// Where a notice's work takes place, resolved to départements and regions.
struct ResolvedPlace: Sendable, Hashable {
    var departements: [String] = []
    /// NUTS-1 regions (from NUTS-1/2 codes, or from the départements).
    var regions: [String] = []
    /// True when some place or the buyer is outside France.
    var isAbroad = false
    var isKnown: Bool { !departements.isEmpty || !regions.isEmpty || isAbroad }
    /// ``departements`` as indices into ``Geography/departements`` (-1 for a code the table lacks), resolved once
    /// per place so that the territorial filter compares integers for each member.
    private(set) var departementIndices: [Int16] = []
    /// ``regions`` as a mask of ``Geography/regionBits``.
    private(set) var regionMask: UInt64 = 0

    init(places: [Place], buyer: Buyer?) {
        for p in places { add(p) }
        if departements.isEmpty && regions.isEmpty, let b = buyer {
            if let n = b.nuts { addNUTS(n) }
            if let c = b.country?.uppercased(), !["FR", "FRA"].contains(c) { isAbroad = true }
        }
        for d in departements {
            if let r = Geography.region(of: d), !regions.contains(r) { regions.append(r) }
        }
        departementIndices = departements.map { Geography.index(ofCanonical: $0).map(Int16.init) ?? -1 }
        for r in regions { regionMask |= Geography.regionBits[r] ?? 0 }
    }

    private mutating func add(_ p: Place) {
        if let d = p.departement.flatMap(Geography.canonicalDepartement) {
            if !departements.contains(d) { departements.append(d) }
        } else if let d = p.postcode.flatMap(Geography.departement(forPostcode:)) {
            if !departements.contains(d) { departements.append(d) }
        } else if let n = p.nuts {
            addNUTS(n)
        }
    }

    private mutating func addNUTS(_ raw: String) {
        let n = raw.uppercased()
        guard n.hasPrefix("FR") else {
            if n.count >= 2 { isAbroad = true }
            return
        }
        if n.count == 5, let d = Geography.departement(forNUTS3: n) {
            if !departements.contains(d) { departements.append(d) }
        } else if n.count >= 3 {
            let r = String(n.prefix(3))
            if Geography.regionNames[r] != nil, !regions.contains(r) { regions.append(r) }
        }
    }
}
