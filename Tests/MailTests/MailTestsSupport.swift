import Foundation
@testable import Mail

/// 2026-11-24T02:00:00Z, the demo's night.
let demoNight = Date(timeIntervalSince1970: 1_795_485_600)

let frenchSubject = "Veille Méca Loire — 3 avis pour vous, dont 1 à rendre cette semaine"

let calendarBytes = Array(
    """
    BEGIN:VCALENDAR\r
    VERSION:2.0\r
    PRODID:-//Vigie//FR\r
    METHOD:PUBLISH\r
    BEGIN:VEVENT\r
    UID:decolletage-furan@vigie.invalid\r
    DTSTART:20261201T120000Z\r
    SUMMARY:Décolletage de pièces — remise des offres\r
    END:VEVENT\r
    END:VCALENDAR\r

    """.utf8)

/// A member's digest as the pipeline will send it: French names and subject, both bodies, a calendar.
func memberMessage(id: String = "mecaloire.2026-11-24.1.decolletage-furan@vigie.invalid") -> MailMessage {
    MailMessage(
        messageID: id, date: demoNight,
        from: MailAddress("veille@example.org", name: "Pôle Méca Loire"),
        replyTo: [MailAddress("equipe@example.org", name: "Équipe veille")],
        to: [MailAddress("contact@decolletage-furan.example.org", name: "Décolletage du Furan")],
        cc: [MailAddress("achats@decolletage-furan.example.org")],
        subject: frenchSubject,
        textBody: """
            Bonjour,

            3 avis pour vous cette nuit. Échéance : mardi 1er décembre 2026 à 12 h 00 (dans 7 jours).
            Montant estimé : 480 000 € HT.
            .
            Une ligne qui se termine par des espaces   
            \(String(repeating: "décolletage ", count: 120))
            """,
        htmlBody: """
            <!DOCTYPE html><html lang="fr"><body><table role="presentation" width="100%"><tr>\
            <td style="font-family:sans-serif">\
            <h1>Veille Méca Loire</h1><p>3 avis pour vous — échéance <strong>mardi 1er décembre</strong>.</p>\
            \(String(repeating: "<p>décolletage &amp; usinage</p>", count: 60))</td></tr></table></body></html>
            """,
        attachments: [MailAttachment(fileName: "echeances.ics", contentType: "text/calendar", bytes: calendarBytes)],
        listUnsubscribe: "mailto:equipe@example.org?subject=d%C3%A9sinscription")
}

/// The lines of `bytes` split on CRLF (the last, empty, dropped).
func crlfLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    var index = 0
    while index + 1 < bytes.count {
        if bytes[index] == 13 && bytes[index + 1] == 10 {
            lines.append(bytes[start..<index])
            start = index + 2
            index += 2
        } else {
            index += 1
        }
    }
    if start < bytes.count { lines.append(bytes[start...]) }
    return lines
}

/// The header section (up to the first empty line), unfolded: one string per field.
func headerFields(_ bytes: [UInt8]) -> [String] {
    var fields: [String] = []
    for line in crlfLines(bytes) {
        if line.isEmpty { break }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(" ") || text.hasPrefix("\t"), !fields.isEmpty {
            fields[fields.count - 1] += text
        } else {
            fields.append(text)
        }
    }
    return fields
}
