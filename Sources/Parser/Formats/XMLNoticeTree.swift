import Foundation

/// A small element tree of one notice, built from `XMLStreamReader` events.
///
/// BOAMP XML notices are a few kilobytes each but come in many variants (MAPA, JOUE, awards, corrigenda) where
/// the same element name means different things at different places (`GESTION/REFERENCE/IDWEB` is the notice,
/// `GESTION/MARCHE/ANNONCE_ANTERIEUR/REFERENCE/IDWEB` an earlier one). Reading them into this tree and asking by
/// path keeps the adapter close to the schema. Names are local names; text is the element's own text.
final class XMLNoticeTree {
    let name: String
    var attributes: [String: String] = [:]
    var text = ""
    var children: [XMLNoticeTree] = []

    init(name: String) {
        self.name = name
    }

    /// Reads the whole document of `reader` (positioned before the root) into a tree; nil for an empty document.
    static func read(_ reader: XMLStreamReader) throws -> XMLNoticeTree? {
        var stack: [XMLNoticeTree] = []
        var root: XMLNoticeTree?
        while try reader.read() {
            switch reader.nodeType {
            case .element:
                let node = XMLNoticeTree(name: reader.localName)
                if reader.hasAttributes {
                    for a in reader.attributes() {
                        let local = a.name.split(separator: ":").last.map(String.init) ?? a.name
                        node.attributes[local] = a.value
                    }
                }
                if let parent = stack.last { parent.children.append(node) } else if root == nil { root = node }
                if !reader.isEmptyElement { stack.append(node) }
            case .endElement:
                if !stack.isEmpty { stack.removeLast() }
            case .text, .cdata:
                if let v = reader.value { stack.last?.text += v }
            case .whitespace:
                if let v = reader.value, let last = stack.last, !last.text.isEmpty { last.text += v }
            default:
                break
            }
        }
        return root
    }

    /// First descendant along `path` ("DONNEES/IDENTITE/DENOMINATION").
    func first(_ path: String) -> XMLNoticeTree? {
        var node: XMLNoticeTree? = self
        for part in path.split(separator: "/") {
            node = node?.children.first { $0.name == part }
            if node == nil { return nil }
        }
        return node
    }

    /// Every descendant along `path` (each step may branch).
    func all(_ path: String) -> [XMLNoticeTree] {
        var nodes: [XMLNoticeTree] = [self]
        for part in path.split(separator: "/") {
            nodes = nodes.flatMap { $0.children.filter { $0.name == part } }
        }
        return nodes
    }

    /// Cleaned text of the first element along `path`, nil when absent or empty.
    func text(_ path: String) -> String? {
        FormatSupport.nonEmpty(first(path)?.text)
    }

    /// Names of the children of the element at `path`: BOAMP writes enumerations as empty elements
    /// (`<TYPE_PROCEDURE><OUVERT/></TYPE_PROCEDURE>`).
    func childNames(_ path: String) -> [String] {
        (path.isEmpty ? self : first(path))?.children.map(\.name) ?? []
    }

    /// All text below this element, children included, separated by spaces.
    var deepText: String {
        var parts: [String] = []
        func walk(_ n: XMLNoticeTree) {
            if !n.text.isEmpty { parts.append(n.text) }
            n.children.forEach(walk)
        }
        walk(self)
        return FormatSupport.clean(parts.joined(separator: " "))
    }
}
