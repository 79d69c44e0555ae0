import Testing

@testable import Parser

@Suite("HTML to text and URL resolution")
struct HTMLTextTests {
    @Test(
        "HTML reduced to clean text",
        arguments: [
            ("<p>Lot&nbsp;1</p><p>Lot 2</p>", "Lot\u{A0}1 Lot 2"),
            ("a<br>b<br/>c", "a b c"),
            ("<b>gras</b> et <i>italique</i>", "gras et italique"),
            ("x <script>alert('<p>')</script> y", "x y"),
            ("<style>p{}</style>texte", "texte"),
            ("AT&amp;T &eacute;t&eacute; &#8364; &#x20AC; &#146;", "AT&T été € € ’"),
            ("a < b et c > d", "a < b et c > d"),
            ("<!-- commentaire -->visible", "visible"),
            ("<a href=\"x?a=1&b=2\" title=\"a>b\">lien</a>", "lien"),
            ("&copy 2026 &unknown; &", "© 2026 &unknown; &"),
            ("  espaces \n\t multiples  ", "espaces multiples"),
        ])
    func text(html: String, expected: String) {
        #expect(HTMLText.toText(html) == expected)
    }

    @Test("Whitespace, tags and references at every offset of the eight-byte scan give the same text")
    func wordAtATimeScan() {
        // Tokens whose text is known: words, whitespace, block tags (a space), inline tags (nothing), references.
        let words = ["a", "été", "marché", "bc", "publics", "x1", "réhabilitation", "lot", "&amp;", "d&#233;j&#224;"]
        let separators = [" ", "  ", "\n", " \t ", "\u{0C}"]
        let blocks = ["<p>", "</li>", "<br/>", "<div class=\"a b\">"]
        let inlines = ["<b>", "</b>", "<span>"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var html = ""
            var pieces: [String] = []
            var current = ""
            func boundary() {
                if !current.isEmpty { pieces.append(current) }
                current = ""
            }
            for _ in 0..<Int.random(in: 1...24, using: &rng) {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<5:
                    let w = words.randomElement(using: &rng)!
                    html += w
                    current += w.replacingOccurrences(of: "&amp;", with: "&")
                        .replacingOccurrences(of: "&#233;", with: "é").replacingOccurrences(of: "&#224;", with: "à")
                case 5..<8:
                    html += separators.randomElement(using: &rng)!
                    boundary()
                case 8:
                    html += blocks.randomElement(using: &rng)!
                    boundary()
                default:
                    html += inlines.randomElement(using: &rng)!
                }
            }
            boundary()
            #expect(HTMLText.toText(html) == pieces.joined(separator: " "), "\(html.debugDescription)")
        }
    }

    @Test(
        "RFC 3986 reference resolution",
        arguments: [
            ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
            ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("..", "http://a/b/"), ("../g", "http://a/b/g"),
            ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("g;x=1/../y", "http://a/b/c/y"),
            ("https://other.example/x", "https://other.example/x"), ("mailto:x@example.fr", "mailto:x@example.fr"),
        ])
    func resolve(reference: String, expected: String) {
        #expect(URLResolver.resolve(reference, against: "http://a/b/c/d;p?q") == expected)
    }
}
