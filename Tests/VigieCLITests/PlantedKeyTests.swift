import Foundation
import LoopbackHTTP
import TestSupport
import Testing

extension ReliabilityTests {
    /// A secret planted in the environment, as an operator sets `AIDES_TERRITOIRES_KEY`, never appears in
    /// anything Vigie writes — stdout and stderr of every command, `--json` reports, every byte of the store files,
    /// every digest — and never reaches a host other than the configured one, after a redirect or a `next` link.
    ///
    /// One loopback server plays both hosts: the configured one is `127.0.0.1:PORT`, the "other host" is
    /// `localhost:PORT` (the same socket, told apart by the `Host` header each request carries).
    @Suite struct PlantedKeyTests {
        static let keyVariable = "VIGIE_TEST_PLANTED_KEY"

        /// Where a key may go: `header` (with an optional scheme) or `query`.
        struct Placement {
            var name: String
            var yaml: String
        }
        /// The exchanged token (aides-territoires: the key goes in `X-AUTH-TOKEN` to a connexion endpoint, the
        /// answer's short-lived token in `Authorization: Bearer`) is a secret too.
        static let token = "TOKEN" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

        static func placements(server: LoopbackServer) -> [Placement] {
            [
                Placement(name: "query", yaml: "query_param: apiKey"),
                Placement(name: "header", yaml: "header: X-Api-Key"),
                Placement(name: "bearer", yaml: "header: Authorization\n      scheme: Bearer"),
                Placement(
                    name: "exchange",
                    yaml: "header: Authorization\n      scheme: Bearer\n      exchange:\n        url: "
                        + server.url("/exchange/connexion/")
                        + "\n        header: X-AUTH-TOKEN\n        token_key: token"),
            ]
        }

        static func rss(_ title: String) -> String {
            """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Flux</title><link>https://acheteurs.example/</link>
            <description>x</description>
            <item><title>\(title)</title><link>https://acheteurs.example/ao/\(title.hashValue & 0xffff)</link>
            <guid>\(UUID().uuidString)</guid><pubDate>Mon, 04 May 2026 09:00:00 +0000</pubDate>
            <description>Lieu d&#x27;exécution : Saint-Étienne (42).
            Date limite de réception des offres : 15/07/2026 12:00.</description>
            </item></channel></rss>
            """
        }

        static func aidsPage(next: String?, ids: [Int]) -> String {
            let results = ids.map { id in
                """
                {"id": \(id), "name": "Aide à l'usinage de précision \(id)",
                 "description": "<p>Usinage et décolletage.</p>",
                 "perimeter": "Auvergne-Rhône-Alpes", "is_call_for_project": true, "submission_deadline": "2026-09-30",
                 "date_created": "2026-05-01T10:00:00+02:00", "url": "/aides/\(id)/"}
                """
            }
            let nextJSON = next.map { "\"\($0)\"" } ?? "null"
            return
                "{\"count\": \(ids.count), \"next\": \(nextJSON), \"previous\": null, "
                + "\"results\": [\(results.joined(separator: ","))]}"
        }

        /// The catalogue: per placement, a source answering 500, one redirected to the other host, one whose JSON
        /// `next` link points to the other host.
        static func catalogue(server: LoopbackServer) -> String {
            let other = "http://localhost:\(server.port)"
            server.route(
                "/exchange/connexion/",
                .always(.ok("{\"token\": \"\(token)\"}", contentType: "application/json")))
            var yaml = "sources:\n"
            for placement in placements(server: server) {
                let p = placement.name
                server.route("/\(p)/fails.xml", .always(.status(500, body: "internal error\n")))
                server.route("/\(p)/moved.xml", .always(.redirect(to: "\(other)/\(p)/landing.xml")))
                server.route("/\(p)/landing.xml", .always(.ok(rss("Usinage de pièces mécaniques (42) \(p)"))))
                server.route(
                    "/\(p)/aids/",
                    .always(
                        .ok(aidsPage(next: "\(other)/\(p)/aids-2/?page=2", ids: [1]), contentType: "application/json")))
                server.route(
                    "/\(p)/aids-2/", .always(.ok(aidsPage(next: nil, ids: [2]), contentType: "application/json")))
                for (kind, path, format, paging) in [
                    ("fails", "fails.xml", "rss", ""), ("redirect", "moved.xml", "rss", ""),
                    ("next", "aids/", "aides-territoires-json", "\n    paging:\n      scheme: next-link"),
                ] {
                    yaml += """
                          - id: key-\(p)-\(kind)
                            name: Source à clé (\(p), \(kind))
                            owner: Exemple
                            kind: \(format == "rss" ? "tenders" : "calls-for-projects")
                            format: \(format)
                            url: \(server.url("/\(p)/\(path)"))\(paging)
                            auth:
                              env: \(keyVariable)
                              \(placement.yaml)
                            licence: Exemple

                        """
                }
            }
            return yaml
        }

        @Test func aPlantedKeyAppearsNowhereAndNeverReachesAnotherHost() throws {
            let started = Date()
            let server = try LoopbackServer()
            defer { server.stop() }
            let scratch = try VigieProcess.Scratch("planted")
            let key = "PLANTED" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let env = [Self.keyVariable: key]
            let catalogue = try scratch.write(Self.catalogue(server: server), to: "catalogue.yaml")
            let now = "2026-05-05T02:00:00Z"

            // Everything an operator sees or keeps, labelled.
            var outputs: [(String, Data)] = []
            func keep(_ label: String, _ r: VigieProcess.Result) {
                outputs.append(("\(label) stdout", r.stdoutBytes))
                outputs.append(("\(label) stderr", r.stderrBytes))
            }
            let run = try VigieProcess.vigie(
                [
                    "run", "--feeds", catalogue, "--rules", "Rules", "--store", scratch.path("run/vigie.sqlite"),
                    "--out", scratch.path("run/out"), "--now", now,
                ], environment: env)
            keep("vigie run", run)
            #expect(
                run.status == 1, "some sources fail, the run completes: exit \(run.status)\n\(run.stderr.suffix(600))")
            let json = try VigieProcess.vigie(
                [
                    "run", "--feeds", catalogue, "--rules", "Rules", "--store", scratch.path("json/vigie.sqlite"),
                    "--out", scratch.path("json/out"), "--now", now, "--json",
                ], environment: env)
            keep("vigie run --json", json)
            let fetch = try VigieProcess.vigie(
                ["fetch", "--feeds", catalogue, "--store", scratch.path("fetch/vigie.sqlite")], environment: env)
            keep("vigie fetch", fetch)
            let fetchJSON = try VigieProcess.vigie(
                ["fetch", "--feeds", catalogue, "--store", scratch.path("fetch-json/vigie.sqlite"), "--json"],
                environment: env)
            keep("vigie fetch --json", fetchJSON)
            keep(
                "vigie sources check",
                try VigieProcess.vigie(["sources", "check", "--feeds", catalogue], environment: env))
            for store in ["run", "json", "fetch", "fetch-json"] {
                let path = scratch.path("\(store)/vigie.sqlite")
                keep(
                    "vigie query --json (\(store))",
                    try VigieProcess.vigie(["query", "--store", path, "--limit", "1000", "--json"], environment: env))
                for file in VigieProcess.storeFiles(path) {
                    outputs.append((file, FileManager.default.contents(atPath: file) ?? Data()))
                }
            }
            for out in ["run/out", "json/out"] {
                let tree = VigieProcess.tree(scratch.path(out))
                #expect(!tree.isEmpty, "no digest written in \(out)")
                for (path, data) in tree { outputs.append(("\(out)/\(path)", data)) }
            }

            var leaks: [String] = []
            for (label, data) in outputs {
                for (secret, name) in [(key, "key"), (Self.token, "exchanged token")] {
                    let n = VigieProcess.occurrences(of: secret, in: data)
                    if n > 0 { leaks.append("\(label): \(n) × \(name)") }
                }
            }
            // The other host must receive no key at all, in any header or in the query.
            let requests = server.requests
            let toOther = requests.filter { ($0.header("host") ?? "").lowercased().hasPrefix("localhost") }
            for request in toOther {
                let sent = request.target + " " + request.headers.map { "\($0.0): \($0.1)" }.joined(separator: " ")
                for secret in [key, Self.token] where sent.contains(secret) {
                    leaks.append(
                        "\(secret == key ? "key" : "token") sent to \(request.header("host") ?? "?") \(request.path)")
                }
            }
            let leakCount = leaks.count
            print(
                "planted key: \(outputs.count) outputs read, \(requests.count) requests (\(toOther.count) to the "
                    + "other host); leaks found = \(leakCount) (\(fmt(Date().timeIntervalSince(started))) s)")
            for leak in leaks { print("  leak: \(leak)") }
            #expect(leakCount == 0, "leaks found = \(leakCount): \(leaks.joined(separator: "; "))")

            // The test proves something only if the key was really used, and the other host really asked.
            let toConfigured = requests.filter { ($0.header("host") ?? "").hasPrefix("127.0.0.1") }
            let carriedKey = toConfigured.filter { r in
                r.target.contains(key) || r.headers.contains { $0.1.contains(key) }
            }
            #expect(!carriedKey.isEmpty, "no request to the configured host carried the key: the sources were not used")
            let carriedToken = toConfigured.filter { r in r.headers.contains { $0.1 == "Bearer \(Self.token)" } }
            #expect(!carriedToken.isEmpty, "the exchanged token was never used on the configured host")
            #expect(!toOther.isEmpty, "the other host was never asked: the redirects and next links were not followed")
        }

        /// `user:password@` in a catalogue URL and a CR LF in a configured header are refused by `sources check`
        /// and when a run loads the catalogue: nothing is sent, and the password is printed nowhere.
        @Test func credentialsInTheURLAndControlCharactersInAHeaderAreRefused() throws {
            let server = try LoopbackServer()
            defer { server.stop() }
            server.route("/userinfo.xml", .always(.ok(Self.rss("Usinage de pièces (42) userinfo"))))
            server.route("/crlf.xml", .always(.ok(Self.rss("Usinage de pièces (42) crlf"))))
            let scratch = try VigieProcess.Scratch("userinfo")
            let password = "PWD" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let yaml = """
                sources:
                  - id: userinfo-url
                    name: Identifiants dans l'URL
                    owner: Exemple
                    kind: tenders
                    format: rss
                    url: http://operator:\(password)@127.0.0.1:\(server.port)/userinfo.xml
                    licence: Exemple
                  - id: crlf-header
                    name: Retour à la ligne dans un en-tête
                    owner: Exemple
                    kind: tenders
                    format: rss
                    url: \(server.url("/crlf.xml"))
                    headers:
                      X-Note: "ok\\r\\nX-Injected: yes"
                    licence: Exemple
                """
            let catalogue = try scratch.write(yaml, to: "catalogue.yaml")
            let check = try VigieProcess.vigie(["sources", "check", "--feeds", catalogue])
            #expect(check.status == 1, "sources check accepted them: \(check.stdout)\(check.stderr)")
            // Two located errors (file:line), one per refused source.
            let located = (check.stdout + check.stderr).split(separator: "\n").filter { $0.contains("catalogue.yaml:") }
            #expect(located.count >= 2, "\(check.stdout)\(check.stderr)")
            let run = try VigieProcess.vigie(
                [
                    "run", "--feeds", catalogue, "--rules", "Rules", "--store", scratch.path("vigie.sqlite"),
                    "--out", scratch.path("out"), "--now", "2026-05-05T02:00:00Z",
                ])
            #expect(run.status != 0, "a run with a refused catalogue went through")
            let requests = server.requests
            #expect(!requests.contains { $0.path == "/userinfo.xml" }, "the userinfo URL was fetched")
            #expect(!requests.contains { $0.header("authorization") != nil }, "credentials from the URL were sent")
            #expect(!requests.contains { $0.header("x-injected") != nil }, "a header was injected through CR LF")
            var printed = [check.stdoutBytes, check.stderrBytes, run.stdoutBytes, run.stderrBytes]
            printed += VigieProcess.storeFiles(scratch.path("vigie.sqlite")).map {
                FileManager.default.contents(atPath: $0) ?? Data()
            }
            printed += VigieProcess.tree(scratch.path("out")).values
            let shown = printed.reduce(0) { $0 + VigieProcess.occurrences(of: password, in: $1) }
            #expect(shown == 0, "the URL's password is printed or stored \(shown) times")
        }
    }
}
