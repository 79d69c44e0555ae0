import Foundation
import TestSupport
import Testing

/// `vigie run`, `vigie query` and `vigie digest` as a user runs them: the built binary, real files, file:// feeds.
@Suite(.serialized) struct RunCommandTests {
    /// A scratch folder with a two-source catalogue: the bundled RSS sample and a source whose file is gone.
    final class Scratch {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("vigie-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let sample = VigieProcess.packageRoot.appendingPathComponent(
                "Feeds/samples/acheteurs-rhone-loire.rss.xml")
            let yaml = """
                sources:
                  - id: rss-loire
                    name: Acheteurs Rhône-Loire (échantillon)
                    owner: Exemple
                    kind: tenders
                    format: rss
                    url: \(sample.absoluteString)
                    licence: Exemple
                  - id: dead-source
                    name: Source disparue
                    owner: Exemple
                    kind: tenders
                    format: rss
                    url: file://\(root.path)/missing.xml
                    licence: Exemple
                """
            try yaml.write(to: root.appendingPathComponent("catalogue.yaml"), atomically: true, encoding: .utf8)
        }
        var catalogue: String { root.appendingPathComponent("catalogue.yaml").path }
        var store: String { root.appendingPathComponent("vigie.sqlite").path }
        var out: String { root.appendingPathComponent("out").path }
        deinit { try? FileManager.default.removeItem(at: root) }
    }

    func runArgs(_ s: Scratch, now: String = "2026-05-05T02:00:00Z") -> [String] {
        ["run", "--feeds", s.catalogue, "--rules", "Rules", "--store", s.store, "--out", s.out, "--now", now]
    }

    @Test func aDeadSourceIsReportedNotFatalAndAReRunSendsNothingTwice() throws {
        let s = try Scratch()
        let first = try VigieProcess.vigie(runArgs(s))
        #expect(first.status == 1, "completed with a failed source: \(first.stderr)")
        #expect(first.stdout.contains("sources: 1 ok, 1 failed (dead-source)"))
        #expect(first.stdout.contains("mecaloire: "))
        #expect(first.stdout.contains("-> \(s.out)/mecaloire/2026-05-05.{md,html,json,ics,atom,csv}"))
        #expect(first.stdout.contains("run 1: partial"))
        #expect(first.stderr.contains("vigie run: fetching 2 sources"))
        #expect(first.stderr.contains("vigie run: classified "))
        let md = try String(contentsOfFile: "\(s.out)/mecaloire/2026-05-05.md", encoding: .utf8)
        #expect(md.hasPrefix("# Veille Pôle Méca Loire — mardi 5 mai 2026"))
        #expect(md.contains("| Source disparue | en échec |"))
        for ext in ["md", "html", "json", "ics", "atom", "csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(s.out)/mecaloire/latest.\(ext)"))
        }

        let again = try VigieProcess.vigie(runArgs(s))
        #expect(again.status == 1)
        #expect(again.stdout.contains("classified: 0 notices, 0 routes"))
        #expect(
            again.stdout.contains(
                "mecaloire: 0 new notices (0 member items), 0 consortium, 0 calls, 0 watch matches, 0 changed"))
        #expect(again.stdout.contains("nothing new, no file written"))
        #expect(try String(contentsOfFile: "\(s.out)/mecaloire/2026-05-05.md", encoding: .utf8) == md)

        // The store answers ad hoc queries, accents and plurals folded.
        let q = try VigieProcess.vigie(["query", "--store", s.store, "decolletage piece"])
        #expect(q.status == 0)
        #expect(q.stdout.contains("Décolletage de pièces de précision"))
    }

    @Test func jsonReportOnStdout() throws {
        let s = try Scratch()
        let r = try VigieProcess.vigie(runArgs(s) + ["--json", "--only", "rss-loire", "--cluster", "mecaloire"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["status"] as? String == "ok")
        #expect(object?["run_id"] as? Int == 1)
        let routing = object?["routing"] as? [String: Any]
        #expect((routing?["clusters"] as? [[String: Any]])?.map { $0["cluster"] as? String } == ["mecaloire"])
    }

    @Test func keepDaysPrunesWhatIsLongOver() throws {
        let s = try Scratch()
        _ = try VigieProcess.vigie(runArgs(s) + ["--only", "rss-loire"])
        let kept = try VigieProcess.vigie(["query", "--store", s.store, "--source", "rss-loire", "--json"])
        let before = try JSONSerialization.jsonObject(with: Data(kept.stdout.utf8)) as? [Any]
        #expect((before?.count ?? 0) > 0)
        // A year later, without fetching: every sample notice is long over.
        let later = try VigieProcess.vigie(
            [
                "run", "--feeds", s.catalogue, "--rules", "Rules", "--store", s.store, "--out", s.out,
                "--now", "2028-01-01T02:00:00Z", "--no-fetch", "--keep-days", "30",
            ])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stdout.contains("pruned: \(before?.count ?? -1) notices"))
        let after = try VigieProcess.vigie(["query", "--store", s.store, "--source", "rss-loire", "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [Any])?.count == 0)
    }

    @Test func aFreshMachineGetsItsStoreFolderCreated() throws {
        let s = try Scratch()
        let store = s.root.appendingPathComponent("var/lib/vigie/vigie.sqlite").path
        let r = try VigieProcess.vigie(
            [
                "run", "--feeds", s.catalogue, "--rules", "Rules", "--store", store, "--out", s.out, "--only",
                "rss-loire",
                "--now", "2026-05-05T02:00:00Z",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: store))
    }

    @Test func badRulesCannotRun() throws {
        let s = try Scratch()
        let r = try VigieProcess.vigie([
            "run", "--feeds", s.catalogue, "--rules", "\(s.root.path)/no-rules", "--store", s.store,
            "--out", s.out,
        ])
        #expect(r.status == 2)
        #expect(r.stderr.contains("vigie run: cannot load the rules in \(s.root.path)/no-rules"))
        #expect(!FileManager.default.fileExists(atPath: s.out), "nothing written")
    }

    @Test func anUnwritableOutputCannotRun() throws {
        let s = try Scratch()
        let notADirectory = s.root.appendingPathComponent("out-is-a-file").path
        try "x".write(toFile: notADirectory, atomically: true, encoding: .utf8)
        let r = try VigieProcess.vigie([
            "run", "--feeds", s.catalogue, "--rules", "Rules", "--store", s.store,
            "--out", notADirectory, "--only", "rss-loire",
        ])
        #expect(r.status == 2)
        #expect(r.stderr.contains("digest: \(notADirectory)/"))
        // Nothing was recorded as sent: the next run with a good output sends it all.
        let good = try VigieProcess.vigie(runArgs(s) + ["--only", "rss-loire", "--cluster", "mecaloire"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(!good.stdout.contains("mecaloire: 0 new notices"))
    }

    @Test func aHeldLockCannotRunAndNamesTheHolder() throws {
        let s = try Scratch()
        let lockPath = s.store + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        let record = "\(getpid()) 2026-05-05T01:00:00Z\n"
        _ = record.withCString { write(fd, $0, strlen($0)) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let r = try VigieProcess.vigie(runArgs(s))
        #expect(r.status == 2)
        #expect(r.stderr.contains("another run holds \(lockPath) (pid \(getpid()), started 2026-05-05T01:00:00Z)"))
    }

    @Test func digestPreviewsWithoutMarkingDelivered() throws {
        let s = try Scratch()
        // A run routes and delivers everything; a preview afterwards has nothing new to show.
        _ = try VigieProcess.vigie(runArgs(s) + ["--only", "rss-loire"])
        let preview = try VigieProcess.vigie([
            "digest", "--cluster", "mecaloire", "--store", s.store, "--out",
            "\(s.root.path)/preview", "--format", "md", "--rules", "Rules",
            "--now", "2026-05-05T03:00:00Z",
        ])
        #expect(preview.status == 0, "\(preview.stderr)")
        // Everything was delivered by the run: the preview has no news.
        #expect(preview.stderr.contains("mecaloire: 0 new notices"))
        #expect(preview.stdout.contains("\(s.root.path)/preview/mecaloire/2026-05-05.md"))
        let unknown = try VigieProcess.vigie(["digest", "--cluster", "nope", "--store", s.store, "--rules", "Rules"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown cluster nope (known: "))
    }

    /// A run killed with SIGKILL at an arbitrary point leaves a consistent store, and the next run resumes:
    /// every notice ends up stored once, and the run completes.
    @Test func aKilledRunLeavesAConsistentStoreAndTheNextRunResumes() throws {
        let s = try Scratch()
        let count = 3000
        var rss = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Gros flux</title>"
        rss += "<link>https://example.org/</link><description>x</description>"
        for i in 0..<count {
            rss += "<item><title>Fourniture de repas scolaires n° \(i)</title><link>https://example.org/ao/\(i)</link>"
            rss += "<guid>ao-\(i)</guid><description>Livraison de repas pour la cantine \(i).</description></item>"
        }
        rss += "</channel></rss>"
        let feed = s.root.appendingPathComponent("big.xml")
        try rss.write(to: feed, atomically: true, encoding: .utf8)
        let yaml = """
            sources:
              - id: big
                name: Gros flux
                owner: Exemple
                kind: tenders
                format: rss
                url: \(feed.absoluteString)
                licence: Exemple
            """
        let catalogue = s.root.appendingPathComponent("big.yaml").path
        try yaml.write(toFile: catalogue, atomically: true, encoding: .utf8)
        let args = [
            "run", "--feeds", catalogue, "--rules", "Rules", "--store", s.store, "--out", s.out,
            "--now", "2026-05-05T02:00:00Z",
        ]

        let p = try VigieProcess.start(args)
        Thread.sleep(forTimeInterval: 0.4)
        p.signal(SIGKILL)
        let killed = try p.wait()
        // Killed while holding the lock (not before taking it, on a slow machine, nor after finishing)?
        let lockText = (try? String(contentsOfFile: s.store + ".lock", encoding: .utf8)) ?? ""
        let diedHoldingTheLock = killed.signalled && lockText.hasPrefix("\(killed.pid) ")

        let resumed = try VigieProcess.vigie(args)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        if diedHoldingTheLock {
            // The kernel released the dead run's lock, and the next run says so.
            #expect(resumed.stderr.contains("previous run (pid \(killed.pid)) died"))
        }
        let q = try VigieProcess.vigie(["query", "--store", s.store, "--source", "big", "--limit", "5000", "--json"])
        #expect(q.status == 0, "\(q.stderr)")
        let notices = try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as? [[String: Any]]
        #expect(notices?.count == count)
        #expect(Set(notices?.compactMap { $0["id"] as? String } ?? []).count == count)
    }

    /// `vigie backup` as the README tells: the copy is a whole store on its own (no -wal beside it), readable by
    /// `vigie query`; while a run holds the store, backup refuses rather than copy half a night.
    @Test func aBackupIsAWholeStoreAndWaitsForNoRun() throws {
        let s = try Scratch()
        #expect(try VigieProcess.vigie(runArgs(s)).status == 1)  // the dead source: completed with a failure
        let before = try VigieProcess.vigie(["query", "--store", s.store, "--limit", "500", "--json"])
        let dest = s.root.appendingPathComponent("backups/vigie-lundi.sqlite").path
        try FileManager.default.createDirectory(
            atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let backup = try VigieProcess.vigie(["backup", "--store", s.store, dest])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout == dest + "\n")
        #expect(!FileManager.default.fileExists(atPath: dest + "-wal"))
        let after = try VigieProcess.vigie(["query", "--store", dest, "--limit", "500", "--json"])
        #expect(after.status == 0)
        #expect(after.stdout == before.stdout && !before.stdout.isEmpty)
        // The store file alone, copied as any backup script would once vigie is done, is the whole store too.
        let copied = s.root.appendingPathComponent("copie.sqlite").path
        try FileManager.default.copyItem(atPath: s.store, toPath: copied)
        #expect(
            try VigieProcess.vigie(["query", "--store", copied, "--limit", "500", "--json"]).stdout == before.stdout)

        // A run holds the store: backup refuses, names the holder, and writes nothing.
        let lock = try RunLockHolder(store: s.store)
        let refused = try VigieProcess.vigie(["backup", "--store", s.store, dest + ".2"])
        lock.release()
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("another run holds"))
        #expect(!FileManager.default.fileExists(atPath: dest + ".2"))
        let onItself = try VigieProcess.vigie(["backup", "--store", s.store, s.store])
        #expect(onItself.status == 2)
    }

    /// Holds `<store>.lock` the way a running `vigie` does (an exclusive flock), from this test process.
    final class RunLockHolder {
        let fd: Int32
        init(store: String) throws {
            fd = open(store + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw VigieProcess.Failure("cannot take the lock") }
            _ = "\(getpid()) 2026-05-05T02:00:00Z\n".withCString { pwrite(fd, $0, strlen($0), 0) }
        }
        func release() {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }
}
