import Foundation

/// Inputs for whole-run tests: a large `file://` RSS feed whose items route to many members of the bundled
/// `Rules/` clusters (mecaloire's machining, sheet-metal, surface and maintenance trades, in the Loire), so a
/// run writes many member items and the digest phase lasts long enough to be interrupted.
enum BigFeed {
    static let trades = [
        "Usinage de pièces mécaniques de précision", "Décolletage de pièces en laiton",
        "Tournage et fraisage de pièces",
        "Chaudronnerie et tôlerie pour cuves", "Découpe laser et pliage de tôles", "Soudage et mécano-soudure",
        "Traitement de surface par galvanisation", "Anodisation et thermolaquage de pièces",
        "Fonderie de pièces en fonte ductile", "Forge et estampage de pièces", "Outillage et moules d'injection",
        "Maintenance industrielle des lignes de production", "Rétrofit de machines spéciales",
        "Cellule robotisée et automatisme", "Métrologie et contrôle dimensionnel", "Convoyeurs et ligne d'assemblage",
    ]
    static let towns = [
        ("Saint-Étienne", "42"), ("Roanne", "42"), ("Montbrison", "42"), ("Le Puy-en-Velay", "43"),
        ("Lyon", "69"), ("Firminy", "42"), ("Feurs", "42"), ("Yssingeaux", "43"),
    ]

    /// Writes `big.xml` (`count` items) and `big.yaml` (its catalogue) in `directory`; returns the catalogue.
    static func write(in directory: String, count: Int) throws -> String {
        var rss = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Gros flux</title>"
        rss += "<link>https://acheteurs.example/</link><description>Consultations</description>"
        for i in 0..<count {
            let trade = trades[i % trades.count]
            let (town, dep) = towns[(i / trades.count) % towns.count]
            let day = 1 + i % 28
            rss += "<item><title>\(trade) — lot \(i) (\(dep))</title>"
            rss += "<link>https://acheteurs.example/ao/\(i)</link><guid isPermaLink=\"false\">AO-2026-\(i)</guid>"
            rss += "<pubDate>Mon, 04 May 2026 09:00:00 +0000</pubDate>"
            rss += "<description>Acheteur : Ville de \(town). Lieu d&#x27;exécution : \(town) (\(dep)). "
            rss += "\(trade) pour les ateliers municipaux, consultation \(i). "
            rss += "Date limite de réception des offres : \(String(format: "%02d", day))/07/2026 12:00.</description>"
            rss += "</item>\n"
        }
        rss += "</channel></rss>\n"
        let feed = (directory as NSString).appendingPathComponent("big.xml")
        try rss.write(toFile: feed, atomically: true, encoding: .utf8)
        let yaml = """
            sources:
              - id: big
                name: Gros flux d'acheteurs
                owner: Exemple
                kind: tenders
                format: rss
                url: \(URL(fileURLWithPath: feed).absoluteString)
                licence: Exemple
            """
        let catalogue = (directory as NSString).appendingPathComponent("big.yaml")
        try yaml.write(toFile: catalogue, atomically: true, encoding: .utf8)
        return catalogue
    }

    /// `vigie run` on `catalogue` into `store` and `out`, at a fixed date.
    static func runArgs(catalogue: String, store: String, out: String) -> [String] {
        [
            "run", "--feeds", catalogue, "--rules", "Rules", "--store", store, "--out", out, "--now",
            "2026-05-05T02:00:00Z",
        ]
    }
}
