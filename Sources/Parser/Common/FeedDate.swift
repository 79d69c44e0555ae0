import Foundation

/// Parses the dates feeds carry into instants: RFC 822/1123 and their common breakages, ISO 8601 / W3C-DTF
/// (with truncated and 2-digit-year forms), asctime, French, Greek and Hungarian day and month names, named
/// time zones. An unparseable or out-of-range date gives nil: never a guess.
///
/// Examples that parse: `Thu, 01 Jan 2004 19:48:21 GMT`, `lun., 24 nov. 2026 09:00:00 +0100`,
/// `Mon, 26 January 2004 16:31:00 ET`, `2003-12-31T10:14:55.1234Z`, `2004-07-08 23:56:58 -00:20`,
/// `Sun Jan  4 16:29:06 2004`, `2006/09/15 08:19:53 EDT`. A date without a zone is taken as UTC.
enum FeedDate {
    /// The instant `text` denotes, or nil.
    static func parse(_ text: String) -> Date? {
        let s = text.trimmingASCIIWhitespace()
        guard !s.isEmpty, s.utf8.count < 80 else { return nil }
        let bytes = Array(s.utf8)
        if let d = parseRFC822Fast(bytes) { return d }
        if let d = parseISO(bytes) { return d }
        if s.utf8.contains(where: { $0 >= 0xEA }),
            s.unicodeScalars.contains(where: { $0.value >= 0xAC00 && $0.value <= 0xD7A3 })
        {
            return parseKorean(s)  // Hangul: 년, 오후, 오전
        }
        return parseTokens(s)
    }

    // MARK: - Components to instant

    struct Fields {
        var year: Int?
        var month: Int?
        var day: Int?
        var hour = 0
        var minute = 0
        var second = 0
        var offset = 0  // seconds east of UTC
    }

    static func instant(_ f: Fields) -> Date? {
        guard let y = f.year, let m = f.month, let d = f.day else { return nil }
        guard (1...9999).contains(y), (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        guard (0...24).contains(f.hour), (0...59).contains(f.minute), (0...60).contains(f.second) else { return nil }
        guard abs(f.offset) <= 14 * 3600 else { return nil }
        let days = daysFromCivil(y, m, d)
        let secs = days * 86400 + f.hour * 3600 + f.minute * 60 + min(f.second, 59) - f.offset
        return Date(timeIntervalSince1970: TimeInterval(secs))
    }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func expandYear(_ y: Int, digits: Int) -> Int {
        guard digits <= 2 else { return y }
        return y < 70 ? 2000 + y : 1900 + y
    }

    // MARK: - RFC 822, the well-formed case, on bytes

    /// `[Ddd, ]D[D] Mon YYYY HH:MM[:SS] (+hhmm|-hhmm|GMT|UT|UTC|Z)` with English names, the form nine feeds in
    /// ten use, parsed without building any string. Anything else returns nil and goes to the general parsers.
    static func parseRFC822Fast(_ b: [UInt8]) -> Date? {
        let n = b.count
        var i = 0
        @inline(__always) func letter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
        @inline(__always) func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        if i < n, letter(b[i]) {  // day name
            guard i + 4 < n, letter(b[i + 1]), letter(b[i + 2]), b[i + 3] == 0x2C, b[i + 4] == 0x20 else { return nil }
            i += 5
        }
        while i < n, b[i] == 0x20 { i += 1 }
        var day = 0
        var k = 0
        while i < n, digit(b[i]), k < 2 {
            day = day * 10 + Int(b[i] - 0x30)
            i += 1
            k += 1
        }
        guard k > 0, i + 4 < n, b[i] == 0x20 else { return nil }
        let m0 = b[i + 1] | 0x20
        let m1 = b[i + 2] | 0x20
        let m2 = b[i + 3] | 0x20
        let code = UInt32(m0) << 16 | UInt32(m1) << 8 | UInt32(m2)
        let month: Int
        switch code {
        case 0x6A616E: month = 1
        case 0x666562: month = 2
        case 0x6D6172: month = 3
        case 0x617072: month = 4
        case 0x6D6179: month = 5
        case 0x6A756E: month = 6
        case 0x6A756C: month = 7
        case 0x617567: month = 8
        case 0x736570: month = 9
        case 0x6F6374: month = 10
        case 0x6E6F76: month = 11
        case 0x646563: month = 12
        default: return nil
        }
        i += 4
        guard i < n, b[i] == 0x20 else { return nil }
        i += 1
        var year = 0
        k = 0
        while i < n, digit(b[i]), k < 5 {
            year = year * 10 + Int(b[i] - 0x30)
            i += 1
            k += 1
        }
        guard k == 4 else { return nil }
        var f = Fields(year: year, month: month, day: day)
        guard i < n, b[i] == 0x20 else { return i == n ? instant(f) : nil }
        i += 1
        func two() -> Int? {
            guard i + 1 < n, digit(b[i]), digit(b[i + 1]) else { return nil }
            defer { i += 2 }
            return Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30)
        }
        guard let h = two(), i < n, b[i] == 0x3A else { return nil }
        i += 1
        guard let mi = two() else { return nil }
        f.hour = h
        f.minute = mi
        if i < n, b[i] == 0x3A {
            i += 1
            guard let sec = two() else { return nil }
            f.second = sec
        }
        guard i < n, b[i] == 0x20 else { return i == n ? instant(f) : nil }
        i += 1
        let rest = n - i
        if rest == 5, b[i] == 0x2B || b[i] == 0x2D {
            i += 1
            guard let hh = two(), let mm = two() else { return nil }
            f.offset = (b[n - 5] == 0x2D ? -1 : 1) * (hh * 3600 + mm * 60)
        } else if rest == 3, b[i] | 0x20 == 0x67, b[i + 1] | 0x20 == 0x6D, b[i + 2] | 0x20 == 0x74 {  // GMT
        } else if rest == 3, b[i] | 0x20 == 0x75, b[i + 1] | 0x20 == 0x74, b[i + 2] | 0x20 == 0x63 {  // UTC
        } else if rest == 2, b[i] | 0x20 == 0x75, b[i + 1] | 0x20 == 0x74 {  // UT
        } else if rest == 1, b[i] | 0x20 == 0x7A {  // Z
        } else {
            return nil
        }
        return instant(f)
    }

    // MARK: - ISO 8601 / W3C-DTF

    /// `YYYY[-MM[-DD]]`, `YYYYMMDD`, `YYYY-DDD`, `YY-MM-DD`, `YYMMDD`, `-YY-MM`, `-YYMM`, `YYDDD`, each optionally
    /// followed by `T` or spaces, a time `hh[:mm[:ss[.frac]]]` and a zone `Z`, `±hh[:mm]`.
    static func parseISO(_ b: [UInt8]) -> Date? {
        var bytes = b
        // Hungarian month names between dashes (`2004-július-13T9:15-05:00`), as feedparser reads them.
        if bytes.contains(where: { $0 >= 0x80 }) {
            guard let replaced = replaceMonthName(String(decoding: b, as: UTF8.self)) else { return nil }
            bytes = Array(replaced.utf8)
        }
        var i = 0
        let n = bytes.count
        func digits(max: Int = 12) -> (value: Int, count: Int) {
            var v = 0
            var c = 0
            while i < n, c < max, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                v = v * 10 + Int(bytes[i] - 0x30)
                i += 1
                c += 1
            }
            return (v, c)
        }
        var f = Fields()
        guard n > 0 else { return nil }
        if bytes[0] == 0x2D {  // -YY-MM or -YYMM
            i = 1
            let a = digits()
            if a.count == 2, i < n, bytes[i] == 0x2D {
                i += 1
                let m = digits()
                guard m.count == 2 else { return nil }
                f.year = expandYear(a.value, digits: 2)
                f.month = m.value
                f.day = 1
            } else if a.count == 4 {
                f.year = expandYear(a.value / 100, digits: 2)
                f.month = a.value % 100
                f.day = 1
            } else {
                return nil
            }
        } else {
            let a = digits()
            guard a.count > 0 else { return nil }
            if i < n, bytes[i] == 0x2D {
                i += 1
                guard a.count == 4 || a.count == 2 else { return nil }
                let year = expandYear(a.value, digits: a.count)
                let m = digits()
                if m.count == 3, i >= n || bytes[i] != 0x2D {  // ordinal YYYY-DDD
                    guard let (mm, dd) = monthDay(ordinal: m.value, year: year) else { return nil }
                    f.year = year
                    f.month = mm
                    f.day = dd
                } else {
                    guard m.count >= 1, m.count <= 3 else { return nil }
                    f.year = year
                    f.month = m.value
                    f.day = 1
                    if i < n, bytes[i] == 0x2D {
                        i += 1
                        let d = digits()
                        guard d.count >= 1, d.count <= 2 else { return nil }
                        f.day = d.value
                    }
                }
            } else {
                switch a.count {
                case 4:
                    f.year = a.value
                    f.month = 1
                    f.day = 1
                case 8:
                    f.year = a.value / 10000
                    f.month = a.value / 100 % 100
                    f.day = a.value % 100
                case 6:
                    f.year = expandYear(a.value / 10000, digits: 2)
                    f.month = a.value / 100 % 100
                    f.day = a.value % 100
                case 5:
                    let year = expandYear(a.value / 1000, digits: 2)
                    guard let (mm, dd) = monthDay(ordinal: a.value % 1000, year: year) else { return nil }
                    f.year = year
                    f.month = mm
                    f.day = dd
                case 7:
                    guard let (mm, dd) = monthDay(ordinal: a.value % 1000, year: a.value / 1000) else { return nil }
                    f.year = a.value / 1000
                    f.month = mm
                    f.day = dd
                default: return nil
                }
            }
        }
        // Time.
        var sawSeparator = false
        while i < n, bytes[i] == 0x20 || bytes[i] == 0x54 || bytes[i] == 0x74 {
            i += 1
            sawSeparator = true
        }
        if sawSeparator, i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let h = digits()
            if h.count == 6 && (i >= n || bytes[i] != 0x3A) {
                f.hour = h.value / 10000
                f.minute = h.value / 100 % 100
                f.second = h.value % 100
            } else if h.count == 4 && (i >= n || bytes[i] != 0x3A) {
                f.hour = h.value / 100
                f.minute = h.value % 100
            } else {
                guard h.count >= 1, h.count <= 2 else { return nil }
                f.hour = h.value
                if i < n, bytes[i] == 0x3A {
                    i += 1
                    let m = digits()
                    guard m.count == 2 else { return nil }
                    f.minute = m.value
                    if i < n, bytes[i] == 0x3A {
                        i += 1
                        let s = digits()
                        guard s.count == 2 else { return nil }
                        f.second = s.value
                    }
                }
            }
            if i < n, bytes[i] == 0x2E || bytes[i] == 0x2C {  // fraction, dropped
                i += 1
                guard digits().count > 0 else { return nil }
            }
            while i < n, bytes[i] == 0x20 { i += 1 }
            if i < n {
                if bytes[i] == 0x5A || bytes[i] == 0x7A {
                    i += 1
                } else if bytes[i] == 0x2B || bytes[i] == 0x2D {
                    let sign = bytes[i] == 0x2D ? -1 : 1
                    i += 1
                    let hh = digits()
                    var off: Int
                    if hh.count == 4 {
                        off = hh.value / 100 * 3600 + hh.value % 100 * 60
                    } else {
                        guard hh.count >= 1, hh.count <= 2 else { return nil }
                        off = hh.value * 3600
                        if i < n, bytes[i] == 0x3A {
                            i += 1
                            let mm = digits()
                            guard mm.count == 2 else { return nil }
                            off += mm.value * 60
                        }
                    }
                    f.offset = sign * off
                } else {
                    // A zone name after an ISO date (`2004-07-08 23:56:58 EST`).
                    let rest = String(decoding: bytes[i...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    guard let off = zoneOffset(rest.lowercased()) else { return nil }
                    f.offset = off
                    i = n
                }
            }
        } else if sawSeparator, i < n {
            return nil
        }
        while i < n, bytes[i] == 0x20 { i += 1 }
        guard i == n else { return nil }
        return instant(f)
    }

    static func monthDay(ordinal: Int, year: Int) -> (Int, Int)? {
        var rest = ordinal
        guard rest >= 1 else { return nil }
        for m in 1...12 {
            let d = daysIn(month: m, year: year)
            if rest <= d { return (m, rest) }
            rest -= d
        }
        return nil
    }

    private static func replaceMonthName(_ s: String) -> String? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        guard let m = months[parts[1].lowercased()] else { return nil }
        var out = parts
        out[1] = Substring(m < 10 ? "0\(m)" : "\(m)")
        return out.joined(separator: "-")
    }

    // MARK: - Korean blogs (feedparser's OnBlog and Nate formats)

    /// `2004-05-25 오후 11:23:17` and `2004년 05월 28일  01:31:15`, in Korea Standard Time.
    private static func parseKorean(_ s: String) -> Date? {
        let pm = s.unicodeScalars.contains("\u{D6C4}")  // 후 of 오후 (afternoon)
        var numbers: [Int] = []
        var current: Int?
        for u in s.unicodeScalars {
            if let v = u.properties.numericType != nil ? Int(String(u)) : nil, u.isASCII {
                guard (current ?? 0) < 100_000 else { return nil }  // no date part has more digits
                current = (current ?? 0) * 10 + v
            } else if let c = current {
                numbers.append(c)
                current = nil
            }
        }
        if let c = current { numbers.append(c) }
        guard numbers.count >= 5 else { return nil }
        var f = Fields(year: numbers[0], month: numbers[1], day: numbers[2])
        f.hour = numbers[3] + (pm && numbers[3] < 12 ? 12 : 0)
        f.minute = numbers[4]
        f.second = numbers.count > 5 ? numbers[5] : 0
        f.offset = 9 * 3600
        return instant(f)
    }

    // MARK: - RFC 822 and friends, by tokens

    /// Day, month, year, time and zone found in any order (`Thu, 01 Jan 2004 19:48:21 GMT`,
    /// `Sun Jul 15 01:16:00 +0000 2012`, `Fri, 2006/09/15 08:19:53 EDT`). Every token must be understood.
    static func parseTokens(_ s: String) -> Date? {
        var f = Fields()
        var tokens: [Substring] = []
        for t in s.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            tokens.append(t)
        }
        var sawTime = false
        var sawZone = false
        for (index, raw) in tokens.enumerated() {
            var t = raw
            while t.last == "." { t = t.dropLast() }
            guard let first = t.unicodeScalars.first else { continue }
            if first.properties.isAlphabetic, let off = zoneOffset(t.lowercased()), !sawZone {
                // Before the `:` and `/` checks: `GMT-01:01`, `Etc/GMT`.
                if months[t.lowercased()] == nil && !days.contains(t.lowercased()) {
                    f.offset = off
                    sawZone = true
                    continue
                }
            }
            if first == "+" || first == "-" {
                guard !sawZone, let off = numericZone(t) else { return nil }
                f.offset = off
                sawZone = true
            } else if t.contains(":") {
                guard !sawTime, let (h, m, sec, zone) = time(t) else { return nil }
                f.hour = h
                f.minute = m
                f.second = sec
                if let zone {
                    f.offset = zone
                    sawZone = true
                }
                sawTime = true
            } else if t.contains("/") {
                let parts = t.split(separator: "/")
                guard parts.count == 3, let a = Int(parts[0]), let b = Int(parts[1]), let c = Int(parts[2]) else {
                    return nil
                }
                guard parts[0].count == 4 else { return nil }  // only YYYY/MM/DD: D/M vs M/D would be a guess
                f.year = a
                f.month = b
                f.day = c
            } else if first.properties.numericType != nil, first.isASCII {
                guard let v = Int(t) else { return nil }
                if t.count == 4 {
                    guard f.year == nil else { return nil }
                    f.year = v
                } else if f.day == nil && t.count <= 2 {
                    f.day = v
                } else if f.year == nil && t.count == 2 {
                    f.year = expandYear(v, digits: 2)
                } else {
                    return nil
                }
            } else {
                let word = t.lowercased()
                // `mar` is Tuesday in French and March in English: a day name only if a month name follows.
                if index == 0, days.contains(word),
                    months[word] == nil
                        || tokens.dropFirst().contains(where: {
                            months[$0.lowercased().trimmingCharacters(in: ["."])] != nil
                        })
                {
                    continue
                }
                if f.month == nil, let m = months[word] {
                    f.month = m
                    continue
                }
                if days.contains(word) { continue }
                if word == "am" || word == "pm" {
                    if word == "pm", f.hour < 12 { f.hour += 12 } else if word == "am", f.hour == 12 { f.hour = 0 }
                    continue
                }
                if !sawZone, let off = zoneOffset(word) {
                    f.offset = off
                    sawZone = true
                    continue
                }
                return nil
            }
        }
        return instant(f)
    }

    /// `hh:mm[:ss]`, possibly glued to a zone (`09:00:00+0100`, `09:00Z`).
    private static func time(_ t: Substring) -> (Int, Int, Int, Int?)? {
        var zone: Int?
        var body = t
        if let idx = t.firstIndex(where: { $0 == "+" || $0 == "-" }) {
            guard let z = numericZone(t[idx...]) else { return nil }
            zone = z
            body = t[..<idx]
        } else if t.last == "Z" || t.last == "z" {
            zone = 0
            body = t.dropLast()
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 }) else {
            return nil
        }
        guard let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        let sec = parts.count == 3 ? Int(parts[2]) : 0
        guard let sec else { return nil }
        return (h, m, sec, zone)
    }

    /// `+0100`, `-05:00`, `+01`, `-0000`; nil when malformed or beyond ±14 h.
    private static func numericZone(_ t: Substring) -> Int? {
        let sign = t.first == "-" ? -1 : 1
        let digits = t.dropFirst().filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(digits) else { return nil }
        let seconds: Int
        switch digits.count {
        case 1, 2: seconds = v * 3600
        case 3, 4: seconds = v / 100 * 3600 + v % 100 * 60
        default: return nil
        }
        guard seconds <= 14 * 3600 else { return nil }
        return sign * seconds
    }

    /// Offset of a zone name (`gmt`, `cest`, `et`, `etc/gmt`, `gmt+01:00`), lowercased; nil if unknown.
    static func zoneOffset(_ word: String) -> Int? {
        if let h = zones[word] { return Int(h * 3600) }
        for prefix in ["gmt", "utc", "ut"] where word.hasPrefix(prefix) && word.count > prefix.count {
            let rest = word.dropFirst(prefix.count)
            if rest.first == "+" || rest.first == "-" { return numericZone(rest) }
        }
        return nil
    }

    /// Named zones feeds use, in hours east of UTC. US one- and two-letter forms (`ET`, `PT`) are what old
    /// Movable Type feeds wrote.
    static let zones: [String: Double] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "etc/gmt": 0, "etc/utc": 0, "wet": 0, "west": 1,
        "bst": 1, "cet": 1, "cest": 2, "met": 1, "mest": 2, "mez": 1, "mesz": 2, "eet": 2, "eest": 3,
        "msk": 3, "ist": 5.5, "hkt": 8, "sgt": 8, "awst": 8, "jst": 9, "kst": 9, "acst": 9.5,
        "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
        "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
        "akst": -9, "akdt": -8, "hst": -10, "ast": -4, "adt": -3, "nst": -3.5, "ndt": -2.5,
        "at": -4, "et": -5, "ct": -6, "mt": -7, "pt": -8,
    ]

    static let days: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "lun", "mar", "mer", "jeu", "ven", "sam", "dim",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        "κυρ", "δευ", "τρι", "τετ", "πεμ", "παρ", "σαβ",
    ]

    /// English, French, Greek, Hungarian and German month names and abbreviations, lowercased.
    static let months: [String: Int] = {
        let names: [[String]] = [
            ["jan", "january", "janv", "janvier", "ιαν", "január", "januar", "jän"],
            ["feb", "february", "fév", "févr", "fev", "fevr", "février", "fevrier", "φεβ", "február", "februar"],
            ["mar", "march", "mars", "μάώ", "μάρ", "μαρ", "március", "märz", "mär", "mrz"],
            ["apr", "april", "avr", "avril", "απρ", "április"],
            ["may", "mai", "μάι", "μαϊ", "μαι", "μάϊ", "május"],
            ["jun", "june", "juin", "ιούν", "ιον", "ιουν", "június", "juni"],
            ["jul", "july", "juil", "juillet", "ιούλ", "ιολ", "ιουλ", "július", "juli"],
            ["aug", "august", "aoû", "août", "aout", "αύγ", "αυγ", "augusztus"],
            ["sep", "sept", "september", "septembre", "σεπ", "szeptember"],
            ["oct", "october", "octobre", "οκτ", "október", "okt", "oktober"],
            ["nov", "november", "novembre", "νοέ", "νοε", "νοέμ"],
            ["dec", "december", "déc", "décembre", "decembre", "δεκ", "dez", "dezember"],
        ]
        var map: [String: Int] = [:]
        for (i, list) in names.enumerated() { for n in list { map[n] = i + 1 } }
        return map
    }()
}
