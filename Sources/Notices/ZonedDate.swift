import Foundation

/// An instant together with the UTC offset it was stated in, so a deadline
/// "08/06/2026 à 12h00" (Paris) prints back as `2026-06-08T12:00:00+02:00`.
///
/// Encodes as an ISO 8601 string with offset.
public struct ZonedDate: Sendable, Hashable, Codable, Comparable {
    public var instant: Date
    /// Offset from UTC in seconds at that instant.
    public var utcOffset: Int
    /// IANA zone name when known (`Europe/Paris`).
    public var timeZone: String?

    public init(instant: Date, utcOffset: Int, timeZone: String? = nil) {
        self.instant = instant
        self.utcOffset = utcOffset
        self.timeZone = timeZone
    }

    /// The instant in `zone` (offset computed for that instant, so summer time is right).
    public init(instant: Date, zone: TimeZone) {
        self.instant = instant
        self.utcOffset = zone.secondsFromGMT(for: instant)
        self.timeZone = zone.identifier
    }

    public static func < (lhs: ZonedDate, rhs: ZonedDate) -> Bool { lhs.instant < rhs.instant }

    /// `2026-06-08T12:00:00+02:00` (or `Z` for UTC).
    public var iso8601: String { ISO8601.format(instant, offset: utcOffset) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let z = ISO8601.parseZoned(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 date: \(s)")
        }
        self = z
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso8601)
    }
}

/// Minimal, allocation-light ISO 8601 formatting and parsing used across stages
/// (Foundation's formatters are slow and not Sendable on every platform).
public enum ISO8601 {
    /// Formats `date` with the given UTC offset: `2026-06-08T12:00:00+02:00`, or `…Z` for offset 0.
    public static func format(_ date: Date, offset: Int = 0) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = floorDiv(t, 86_400)
        let secs = t - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        let a = abs(offset)
        // Digits written directly: `String(format:)` went through CoreFoundation's formatter for every date of
        // every digest (14 % of writing the JSON digest); years outside 0…9999 keep the formatter's own rules.
        if (0...9999).contains(y), a < 100 * 3600 {
            var b: [UInt8] = []
            b.reserveCapacity(25)
            func two(_ v: Int) {
                b.append(UInt8(48 + v / 10))
                b.append(UInt8(48 + v % 10))
            }
            two(y / 100)
            two(y % 100)
            b.append(0x2D)
            two(m)
            b.append(0x2D)
            two(d)
            b.append(0x54)
            two(secs / 3600)
            b.append(0x3A)
            two((secs % 3600) / 60)
            b.append(0x3A)
            two(secs % 60)
            if offset == 0 {
                b.append(0x5A)
            } else {
                b.append(offset < 0 ? 0x2D : 0x2B)
                two(a / 3600)
                b.append(0x3A)
                two((a % 3600) / 60)
            }
            return String(decoding: b, as: UTF8.self)
        }
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, secs / 3600, (secs % 3600) / 60, secs % 60)
        if offset == 0 {
            s += "Z"
        } else {
            s += String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", a / 3600, (a % 3600) / 60)
        }
        return s
    }

    /// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]`. A value without a zone is taken as UTC.
    public static func parseZoned(_ s: String) -> ZonedDate? {
        let b = Array(s.utf8)
        func num(_ i: Int, _ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard let y = num(0, 4), b.count >= 10, b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2) else {
            return nil
        }
        var i = 10
        var h = 0, mi = 0, se = 0
        if i < b.count, b[i] == 84 || b[i] == 116 || b[i] == 32 {
            guard let hh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let mm = num(i + 4, 2) else { return nil }
            h = hh
            mi = mm
            i += 6
            if i < b.count, b[i] == 58 {
                guard let ss = num(i + 1, 2) else { return nil }
                se = ss
                i += 3
                if i < b.count, b[i] == 46 || b[i] == 44 {
                    i += 1
                    while i < b.count, b[i] >= 48 && b[i] <= 57 { i += 1 }
                }
            }
        }
        var offset = 0
        if i < b.count {
            if b[i] == 90 || b[i] == 122 {
                i += 1
            } else if b[i] == 43 || b[i] == 45 {
                let sign = b[i] == 45 ? -1 : 1
                guard let oh = num(i + 1, 2) else { return nil }
                var om = 0
                if i + 3 < b.count {
                    if b[i + 3] == 58, let v = num(i + 4, 2) {
                        om = v; i += 6
                    } else if let v = num(i + 3, 2) {
                        om = v; i += 5
                    } else {
                        return nil
                    }
                } else {
                    i += 3
                }
                offset = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == b.count, (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        let t = days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset
        return ZonedDate(instant: Date(timeIntervalSince1970: TimeInterval(t)), utcOffset: offset)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month, day for days since 1970-01-01.
    public static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
