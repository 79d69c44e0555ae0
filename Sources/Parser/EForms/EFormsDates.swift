import Foundation
import Notices

/// eForms dates and times: the two halves of a deadline (BT-131(d)/(t), BT-1311(d)/(t), BT-13(d)/(t)) as the XML
/// and the TED Search API (`deadline-receipt-tender-date-lot` / `-time-lot`) write them.
enum EFormsDates {
    /// Combines an `xs:date` with offset (`2026-11-02+01:00`, `2019-06-24Z`) and an `xs:time` (`12:00:00+02:00`)
    /// into one instant.
    ///
    /// When both halves carry an offset and they differ, the date's offset is used with the time's clock reading:
    /// producers compute the date's offset for that day but stamp the time with the offset of the day they write
    /// the notice. The CNES notice 612553-2026 (written in September, summer time) says `2026-11-02+01:00` and
    /// `12:00:00+02:00`: the buyer means 12:00 in Paris on 2 November, which is 11:00Z, not 10:00Z.
    ///
    /// A time without offset takes the date's; neither has one: Europe/Paris. Without a time, the end of the day
    /// (23:59), since only the day is known. A date that already holds a time (`2026-11-27T12:00:00+01:00`) is read
    /// as it stands.
    static func combine(date: String?, time: String?) -> ZonedDate? {
        guard let date = date.map(FormatSupport.trim), date.utf8.count >= 10 else { return nil }
        // Byte test, not Foundation's `contains` (an NSString bridge per call, on every deadline of every lot).
        if date.utf8.contains(UInt8(ascii: "T")) { return FormatSupport.date(date) }
        guard let time = time.map(FormatSupport.trim), time.utf8.count >= 5 else {
            return FormatSupport.combine(date: date, time: nil)
        }
        let dateOffset = date.dropFirst(10)
        let clock = time.prefix { $0.isNumber || $0 == ":" || $0 == "." }
        let timeOffset = time.dropFirst(clock.count)
        if !dateOffset.isEmpty && !timeOffset.isEmpty && dateOffset != timeOffset {
            return FormatSupport.combine(date: date, time: String(clock))
        }
        return FormatSupport.combine(date: date, time: time)
    }
}
