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
